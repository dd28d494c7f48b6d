/** Loads the Ink prompter only when it is needed: React and Ink cost start-up time, and React must see NODE_ENV first. */
import type {Prompter} from './prompter.js'
import {preferInteractiveRendering} from '../cli/interactive-terminal.js'

/** True when `init` may ask: both stdin and stdout are terminals. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY)
}

async function load(): Promise<Prompter> {
  // React picks its build when it is first imported: its development build is slow.
  process.env.NODE_ENV ??= 'production'
  preferInteractiveRendering()
  const {terminalPrompter} = await import('./ask.js')
  return terminalPrompter
}

/** A terminal prompter that loads Ink and React on its first question only (most runs ask nothing). */
export function lazyTerminalPrompter(): Prompter {
  return {
    text: async (question) => (await load()).text(question),
    select: async (question) => (await load()).select(question),
  }
}
