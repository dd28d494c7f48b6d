/**
 * How a failed command looks, in one place for the commands (mls-command.ts) and for a command that does not exist
 * (hooks/command-not-found.ts): a line on stderr, maybe followed by hint lines (the usage, where help is); or with
 * --json one document on stdout, the same stream as a success's, so `mls ... --json | jq` always reads one document:
 *
 *     {"error": {"code": "USAGE_ERROR", "message": "...", "exit_code": 2}}
 */
import {ConnectionError, ServerError} from '../client/client-error.js'
import {CliError, EXIT_USAGE, type ExitCode} from './cli-error.js'

/** What went wrong, as it is printed. */
export interface ErrorReport {
  /** A stable code: USAGE_ERROR, UNREACHABLE, FAILED, INTERNAL, or the server's own (MODEL_NOT_FOUND, ...). */
  readonly code: string
  readonly message: string
  readonly exitCode: ExitCode
  /** Lines after the message on stderr (not in the JSON document): the usage line, where help is. */
  readonly hints?: readonly string[]
}

/**
 * The stable code of an error: the server's when it answered with one, UNREACHABLE when it could not be reached,
 * USAGE_ERROR for bad usage (exit 2), FAILED for any other CliError, INTERNAL for anything else (a bug of mls).
 */
export function errorCode(error: Error): string {
  // An error that reports another (the first request of `mls test` failed): the other's code.
  if (error instanceof CliError && error.cause instanceof Error) return errorCode(error.cause)
  if (error instanceof ServerError) return error.code ?? 'SERVER_ERROR'
  if (error instanceof ConnectionError) return 'UNREACHABLE'
  if (error instanceof CliError) return error.exitCode === EXIT_USAGE ? 'USAGE_ERROR' : 'FAILED'
  return 'INTERNAL'
}

/** The --json form: snake_case keys, like every other --json document of mls. */
export function errorDocument(report: ErrorReport): {error: {code: string; message: string; exit_code: number}} {
  return {error: {code: report.code, message: report.message, exit_code: report.exitCode}}
}

/** Prints the report (`label`: how the line starts, "Error" or "mls init") and sets the exit code to its own. */
export function printError(report: ErrorReport, options: {json: boolean; label: string}): void {
  process.exitCode = report.exitCode
  if (options.json) {
    // One line: after `mls infer --stream --json`'s answers (one JSON document a line) the error is one more line.
    process.stdout.write(JSON.stringify(errorDocument(report)) + '\n')
    return
  }
  process.stderr.write([`${options.label}: ${report.message}`, ...(report.hints ?? [])].join('\n') + '\n')
}
