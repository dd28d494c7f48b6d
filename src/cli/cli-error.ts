/**
 * The one error a command reports to the user: a message saying what to do next and the process exit code, never a
 * stack trace. Library code below the commands (client, init, bench, test sets, dockerfile) throws it; the shared
 * command base class (mls-command.ts) prints it in one place.
 */

/** Exit code 1: the command was right but could not finish (a failed check, a server error, a failed write). */
export const EXIT_FAILURE = 1
/** Exit code 2: the command was used wrongly (a bad flag value, a refused file, a file that would be overwritten). */
export const EXIT_USAGE = 2

/** The exit codes a CliError ends a command with. */
export type ExitCode = typeof EXIT_FAILURE | typeof EXIT_USAGE

/** A user-facing failure: the command prints `message` and exits with `exitCode`. */
export class CliError extends Error {
  /** `cause`: the error this one reports (its code is the one --json shows, error-report.ts). */
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT_FAILURE,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'CliError'
  }
}

/** A bad-usage error (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE)
}

/** A failure (exit 1). */
export function failure(message: string): CliError {
  return new CliError(message, EXIT_FAILURE)
}
