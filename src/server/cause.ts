/** How a log line names the cause of a failure it reports. */

/** The error's message (with its own cause's, when it has one), or the thrown value as text. */
export function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  return error.cause === undefined ? error.message : `${error.message} (${causeOf(error.cause)})`
}
