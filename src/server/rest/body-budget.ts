/**
 * The bytes held for REST request bodies not yet received whole, across all connections of this process
 * (max_buffered_request_bytes). max_request_size bounds one body; without this, a few hundred connections each sending
 * most of a 64 MiB body, slowly or never finishing, hold tens of gigabytes. A body takes its bytes from the budget as
 * they arrive and gives them all back when it completes, fails, or its connection closes; a body whose next bytes do
 * not fit is refused 503 SERVER_BUSY (retryable: the budget frees as bodies finish).
 */
export class BodyBudget {
  private held = 0

  constructor(readonly limit: number) {}

  /** Bytes held now. */
  get used(): number {
    return this.held
  }

  /** Whether `bytes` more would still fit (a Content-Length checked before any byte is read). */
  fits(bytes: number): boolean {
    return this.held + bytes <= this.limit
  }

  /** Takes `bytes`; false (and nothing taken) when they do not fit. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false
    this.held += bytes
    return true
  }

  /** Gives back bytes taken earlier. */
  give(bytes: number): void {
    this.held -= bytes
  }
}
