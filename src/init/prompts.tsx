/**
 * The two questions `init` may ask, as Ink components: a line of text and a pick-one list. Each calls `onSubmit` once,
 * after it has rendered its answered state, or `onCancel` on Escape / Ctrl+C. They read keys only when stdin supports
 * raw mode (Ink's `useInput` throws otherwise).
 */
import {Box, Text, useInput, useStdin, type Key} from 'ink'
import {useEffect, useRef, useState} from 'react'
import type {Choice} from './prompter.js'

interface Answered<T> {
  readonly value: T
}

function isCancel(input: string, key: Key): boolean {
  return key.escape || (key.ctrl && input === 'c')
}

/** Calls `onSubmit` after the answered frame is on screen. */
function useSubmitAfterRender<T>(answer: Answered<T> | undefined, onSubmit: (value: T) => void): void {
  useEffect(() => {
    if (answer !== undefined) onSubmit(answer.value)
  }, [answer])
}

function Done({label, value}: {readonly label: string; readonly value: string}) {
  return (
    <Text>
      <Text color="green">✔</Text> {label} <Text color="cyan">{value}</Text>
    </Text>
  )
}

/** Props of TextPrompt. `validate` returns why an answer is refused (shown under the line), or undefined. */
export interface TextPromptProps {
  readonly label: string
  readonly defaultValue: string
  readonly validate?: (answer: string) => string | undefined
  readonly onSubmit: (answer: string) => void
  readonly onCancel: () => void
}

/** One line of text; Enter on an empty line takes the default. */
export function TextPrompt({label, defaultValue, validate, onSubmit, onCancel}: TextPromptProps) {
  const {isRawModeSupported} = useStdin()
  const [value, setValue] = useState('')
  // Ink swaps in a new input handler only after each render's effects, so a quick key would see stale state:
  // keys read and write the text through a ref, and the frame renders from state.
  const text = useRef('')
  const edit = (next: string) => {
    text.current = next
    setValue(next)
  }
  const answered = useRef(false)
  const [problem, setProblem] = useState<string>()
  const [answer, setAnswer] = useState<Answered<string>>()
  useSubmitAfterRender(answer, onSubmit)
  useInput(
    (input, key) => {
      if (answered.current) return
      if (isCancel(input, key)) return onCancel()
      if (key.return) {
        const candidate = text.current.trim() === '' ? defaultValue : text.current.trim()
        const refusal = validate?.(candidate)
        if (refusal !== undefined) return setProblem(refusal)
        answered.current = true
        return setAnswer({value: candidate})
      }
      setProblem(undefined)
      if (key.backspace || key.delete) return edit(text.current.slice(0, -1))
      if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return
      // Drop control characters, so a pasted newline or escape sequence cannot end up in the answer.
      const printable = input.replace(/\p{Cc}/gu, '')
      if (printable !== '') edit(text.current + printable)
    },
    {isActive: Boolean(isRawModeSupported) && answer === undefined},
  )
  if (answer !== undefined) return <Done label={label} value={answer.value} />
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan">?</Text> <Text bold>{label}</Text> <Text dimColor>({defaultValue})</Text> {value}
        <Text inverse> </Text>
      </Text>
      {problem !== undefined && <Text color="red">{problem}</Text>}
    </Box>
  )
}

/** Props of SelectPrompt. */
export interface SelectPromptProps<T extends string> {
  readonly label: string
  readonly choices: readonly Choice<T>[]
  readonly defaultValue: T
  readonly onSubmit: (value: T) => void
  readonly onCancel: () => void
}

/** A pick-one list: Up / Down (wrapping) move, Enter chooses; starts on the default. */
export function SelectPrompt<T extends string>({label, choices, defaultValue, onSubmit, onCancel}: SelectPromptProps<T>) {
  const {isRawModeSupported} = useStdin()
  const [index, setIndex] = useState(() => Math.max(0, choices.findIndex((choice) => choice.value === defaultValue)))
  // As in TextPrompt: Ink swaps in a new input handler after each render's effects, so keys read the ref, not state.
  const selected = useRef(index)
  const move = (step: number) => {
    selected.current = (selected.current + step + choices.length) % choices.length
    setIndex(selected.current)
  }
  const answered = useRef(false)
  const [answer, setAnswer] = useState<Answered<T>>()
  useSubmitAfterRender(answer, onSubmit)
  useInput(
    (input, key) => {
      if (answered.current) return
      if (isCancel(input, key)) return onCancel()
      if (key.upArrow) move(-1)
      else if (key.downArrow) move(1)
      else if (key.return) {
        answered.current = true
        setAnswer({value: choices[selected.current].value})
      }
    },
    {isActive: Boolean(isRawModeSupported) && answer === undefined},
  )
  if (answer !== undefined) return <Done label={label} value={answer.value} />
  const width = Math.max(...choices.map((choice) => choice.value.length))
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan">?</Text> <Text bold>{label}</Text> <Text dimColor>(↑/↓, Enter)</Text>
      </Text>
      {choices.map((choice, i) => (
        <Text key={choice.value} color={i === index ? 'cyan' : undefined}>
          {i === index ? '❯' : ' '} {choice.value.padEnd(width)}
          {choice.description !== undefined && <Text dimColor>  {choice.description}</Text>}
        </Text>
      ))}
    </Box>
  )
}
