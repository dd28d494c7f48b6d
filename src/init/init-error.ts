/** The errors `mls init` reports to the user: a message and an exit code, never a stack trace. */

/** Exit code 2: the command was used wrongly (a bad flag value, a refused model file, a file that would be overwritten). */
export const EXIT_USAGE = 2
/** Exit code 1: the command was right but could not finish (a write failed, the prompt was cancelled). */
export const EXIT_FAILURE = 1

/** A user-facing `init` failure; the command prints `message` and exits with `exit`. */
export class InitError extends Error {
  constructor(
    message: string,
    readonly exit: typeof EXIT_USAGE | typeof EXIT_FAILURE,
  ) {
    super(message)
    this.name = 'InitError'
  }
}

/** A bad-usage error (exit 2). */
export function usageError(message: string): InitError {
  return new InitError(message, EXIT_USAGE)
}

/** A failure (exit 1). */
export function failure(message: string): InitError {
  return new InitError(message, EXIT_FAILURE)
}
