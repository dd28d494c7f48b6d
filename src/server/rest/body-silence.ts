/**
 * request_body_timeout for every body being read, kept by one sweep instead of a timer per body: on the hot path a
 * timer per request (setTimeout, then clearTimeout) cost about half as much again as the rest of reading a small body.
 * A body is timed out between `timeout` and 1.25 × `timeout` after its last data. The sweep runs only while some body
 * is being read, and stops itself (it is never started and stopped per request).
 */

export interface Watched {
  /** performance.now() of the last data (or of the start). */
  last: number
  readonly onTimeout: () => void
  /** Its place in the list; -1 once it is no longer watched. */
  index: number
}

export class BodySilenceWatch {
  /** The bodies watched, in no order: removal moves the last one into the hole (a Set's add/delete churn cost more). */
  private readonly active: Watched[] = []
  private sweeper: NodeJS.Timeout | undefined

  constructor(readonly timeoutMs: number) {}

  /** Starts watching a body; `onTimeout` is called once if no data comes for timeoutMs. */
  watch(onTimeout: () => void): Watched {
    const watched: Watched = {last: performance.now(), onTimeout, index: this.active.length}
    this.active.push(watched)
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => this.sweep(), Math.max(5, this.timeoutMs / 4))
      this.sweeper.unref()
    }
    return watched
  }

  /** Data arrived. */
  touch(watched: Watched): void {
    watched.last = performance.now()
  }

  /** The body is done (complete, refused or closed). */
  unwatch(watched: Watched): void {
    const index = watched.index
    if (index < 0) return
    watched.index = -1
    const last = this.active.pop()!
    if (last !== watched) {
      this.active[index] = last
      last.index = index
    }
  }

  /** Bodies watched now. */
  get size(): number {
    return this.active.length
  }

  private sweep(): void {
    if (this.active.length === 0) {
      clearInterval(this.sweeper)
      this.sweeper = undefined
      return
    }
    const before = performance.now() - this.timeoutMs
    const expired = this.active.filter((watched) => watched.last <= before)
    for (const watched of expired) {
      this.unwatch(watched)
      watched.onTimeout()
    }
  }
}
