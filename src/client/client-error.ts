/** The errors of the client: what a command says when the server cannot be reached or answers with an error (exit 1). */
import {CliError} from '../cli/cli-error.js'

/** The server could not be reached at all. */
export class ConnectionError extends CliError {
  /**
   * `how`: the flags that point at a server; `origin`: where `target` came from (endpoints.ts: "--url", "env MLS_URL",
   * "the ports of ./settings.json", "the runtime file of pid N (...)", "the default (...)"), said so that a user who
   * did not choose the address knows what chose it.
   */
  constructor(
    readonly target: string,
    cause: string,
    how = '--url / MLS_URL',
    readonly origin?: string,
  ) {
    const from = origin === undefined ? '' : `; the address came from ${origin}`
    super(`cannot reach an mls server at ${target} (${cause})${from}. Start one with \`mls start <dir>\`, or point at it with ${how}`)
    this.name = 'ConnectionError'
  }
}

/** The server answered with an error: its stable code and message. */
export class ServerError extends CliError {
  constructor(
    readonly status: string,
    readonly code: string | undefined,
    readonly serverMessage: string,
  ) {
    super(`server error ${status}${code ? ` ${code}` : ''}: ${serverMessage}`)
    this.name = 'ServerError'
  }
}
