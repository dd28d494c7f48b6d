/** Callers waiting for something to become idle (no request in flight): resolved all at once when it does. */
export class IdleWaiters {
  private waiters: Array<() => void> = []

  /** Resolves at once when `idle`, else at the next wake(). */
  wait(idle: boolean): Promise<void> {
    if (idle) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Resolves everyone waiting. */
  wake(): void {
    if (this.waiters.length === 0) return
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}
