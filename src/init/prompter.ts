/** How `init` asks for what it is missing. The terminal implementation (Ink) is in ask.tsx; tests pass their own. */

/** One option of a select question. */
export interface Choice<T extends string> {
  readonly value: T
  /** A short explanation shown beside the value. */
  readonly description?: string
}

/** A free-text question. `validate` returns why an answer is refused, or undefined to accept it. */
export interface TextQuestion {
  readonly label: string
  readonly defaultValue: string
  readonly validate?: (answer: string) => string | undefined
}

/** A pick-one question. */
export interface SelectQuestion<T extends string> {
  readonly label: string
  readonly choices: readonly Choice<T>[]
  readonly defaultValue: T
}

/** Asks the user; each method resolves with the answer, or rejects when the user cancels. */
export interface Prompter {
  text(question: TextQuestion): Promise<string>
  select<T extends string>(question: SelectQuestion<T>): Promise<T>
}
