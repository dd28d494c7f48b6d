/** The Ink prompts, driven through ink-testing-library's fake stdin. */
import {cleanup, render} from 'ink-testing-library'
import {createElement} from 'react'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {SelectPrompt, TextPrompt} from '../../../src/init/prompts.js'

const ENTER = '\r'
const UP = '\u001B[A'
const DOWN = '\u001B[B'
const BACKSPACE = '\u007F'
const ESCAPE = '\u001B'

/** Ink reads each write on a later tick; assertions on what follows a key wait with vi.waitFor. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 10))

async function press(stdin: {write(data: string): void}, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    stdin.write(key)
    await tick()
  }
}

afterEach(() => cleanup())

describe('TextPrompt', () => {
  function setup(validate?: (answer: string) => string | undefined) {
    const onSubmit = vi.fn()
    const onCancel = vi.fn()
    const app = render(createElement(TextPrompt, {label: 'Model name', defaultValue: 'my-model', validate, onSubmit, onCancel}))
    return {...app, onSubmit, onCancel}
  }

  it('shows the label and the default', () => {
    const {lastFrame} = setup()
    expect(lastFrame()).toContain('? Model name (my-model)')
  })

  it('takes typed text (with backspace) on Enter, then shows the answer', async () => {
    const {stdin, lastFrame, onSubmit} = setup()
    await press(stdin, 'digitz', BACKSPACE, 's')
    await vi.waitFor(() => expect(lastFrame()).toContain('(my-model) digits'))
    await press(stdin, ENTER)
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledExactlyOnceWith('digits'))
    expect(lastFrame()).toContain('✔ Model name digits')
  })

  it('answers once, however quickly keys follow', async () => {
    const {stdin, onSubmit} = setup()
    stdin.write('ab')
    stdin.write(ENTER)
    stdin.write('c')
    stdin.write(ENTER)
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalled())
    await tick()
    expect(onSubmit).toHaveBeenCalledExactlyOnceWith('ab')
  })

  it('takes the default on an empty Enter', async () => {
    const {stdin, onSubmit} = setup()
    await press(stdin, ENTER)
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledExactlyOnceWith('my-model'))
  })

  it('shows why an answer is refused and waits for a better one', async () => {
    const {stdin, lastFrame, onSubmit} = setup((answer) => (answer.includes(' ') ? 'no spaces' : undefined))
    await press(stdin, 'a b', ENTER)
    await vi.waitFor(() => expect(lastFrame()).toContain('no spaces'))
    expect(onSubmit).not.toHaveBeenCalled()
    await press(stdin, BACKSPACE, BACKSPACE, ENTER)
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledExactlyOnceWith('a'))
  })

  it('cancels on Ctrl+C', async () => {
    const {stdin, onSubmit, onCancel} = setup()
    await press(stdin, 'x', '\u0003')
    await vi.waitFor(() => expect(onCancel).toHaveBeenCalledOnce())
    expect(onSubmit).not.toHaveBeenCalled()
  })
})

describe('SelectPrompt', () => {
  const choices = [
    {value: 'onnx', description: 'an ONNX graph'},
    {value: 'sklearn', description: 'scikit-learn as ONNX'},
    {value: 'xgboost', description: 'XGBoost JSON'},
  ]

  function setup(defaultValue = 'onnx') {
    const onSubmit = vi.fn()
    const onCancel = vi.fn()
    const app = render(createElement(SelectPrompt<string>, {label: 'Runtime', choices, defaultValue, onSubmit, onCancel}))
    return {...app, onSubmit, onCancel}
  }

  it('lists the choices with the default selected', () => {
    const {lastFrame} = setup('sklearn')
    const lines = lastFrame()!.split('\n')
    expect(lines[0]).toContain('? Runtime')
    expect(lines[2]).toMatch(/^❯ sklearn +scikit-learn as ONNX/)
    expect(lines[1]).toMatch(/^ {2}onnx/)
  })

  it('moves with the arrows and chooses on Enter', async () => {
    const {stdin, lastFrame, onSubmit} = setup()
    await press(stdin, DOWN, DOWN)
    await vi.waitFor(() => expect(lastFrame()).toMatch(/❯ xgboost/))
    await press(stdin, ENTER)
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledExactlyOnceWith('xgboost'))
    expect(lastFrame()).toContain('✔ Runtime xgboost')
  })

  it('wraps around at both ends', async () => {
    const {stdin, lastFrame, onSubmit} = setup()
    await press(stdin, UP)
    await vi.waitFor(() => expect(lastFrame()).toMatch(/❯ xgboost/))
    await press(stdin, ENTER)
    await vi.waitFor(() => expect(onSubmit).toHaveBeenCalledExactlyOnceWith('xgboost'))
    cleanup()
    const second = setup('xgboost')
    await press(second.stdin, DOWN)
    await vi.waitFor(() => expect(second.lastFrame()).toMatch(/❯ onnx/))
    await press(second.stdin, ENTER)
    await vi.waitFor(() => expect(second.onSubmit).toHaveBeenCalledExactlyOnceWith('onnx'))
  })

  it('cancels on Escape', async () => {
    const {stdin, onCancel} = setup()
    await press(stdin, ESCAPE)
    await vi.waitFor(() => expect(onCancel).toHaveBeenCalledOnce())
  })
})
