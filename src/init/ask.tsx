/** The terminal Prompter: renders one Ink prompt per question and resolves with the answer. */
import {render} from 'ink'
import type {ReactElement} from 'react'
import {failure} from '../cli/cli-error.js'
import type {Prompter, SelectQuestion, TextQuestion} from './prompter.js'
import {SelectPrompt, TextPrompt} from './prompts.js'

type Callbacks<T> = {onSubmit: (value: T) => void; onCancel: () => void}

/** Renders the prompt `build` makes, waits for Ink to unmount, then resolves (answered) or rejects (cancelled). */
function ask<T>(build: (callbacks: Callbacks<T>) => ReactElement): Promise<T> {
  let answer: {value: T} | undefined
  // Ink's own Ctrl+C handling would unmount without telling us; the prompts treat Ctrl+C as cancel instead.
  const app = render(
    build({
      onSubmit: (value) => {
        answer = {value}
        app.unmount()
      },
      onCancel: () => app.unmount(),
    }),
    {exitOnCtrlC: false, patchConsole: false},
  )
  return app.waitUntilExit().then(() => {
    if (answer === undefined) throw failure('cancelled; nothing was written')
    return answer.value
  })
}

/** Asks on the process's terminal (stdin and stdout must be TTYs). */
export const terminalPrompter: Prompter = {
  text: (question: TextQuestion) => ask<string>((callbacks) => <TextPrompt {...question} {...callbacks} />),
  select: <T extends string>(question: SelectQuestion<T>) => ask<T>((callbacks) => <SelectPrompt<T> {...question} {...callbacks} />),
}
