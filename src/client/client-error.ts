/** Errors a client command reports to the user: never a stack trace, always what to do next. */

export class ClientError extends Error {
  constructor(
    message: string,
    /** Process exit code: 1 for a failed check or server error, 2 for bad usage. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message)
    this.name = 'ClientError'
  }
}

/** The server could not be reached at all. */
export class ConnectionError extends ClientError {
  constructor(readonly target: string, cause: string, how = '--url / MLS_URL') {
    super(`cannot reach an mls server at ${target} (${cause}). Start one with \`mls start <dir>\`, or point at it with ${how}`)
    this.name = 'ConnectionError'
  }
}

/** The server answered with an error: its stable code and message. */
export class ServerError extends ClientError {
  constructor(
    readonly status: string,
    readonly code: string | undefined,
    readonly serverMessage: string,
  ) {
    super(`server error ${status}${code ? ` ${code}` : ''}: ${serverMessage}`)
    this.name = 'ServerError'
  }
}
