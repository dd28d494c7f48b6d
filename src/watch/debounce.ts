/** Per-key debouncing: a key fires once, `delayMs` after the last time it was scheduled. */
export class KeyedDebouncer<K> {
  private readonly timers = new Map<K, NodeJS.Timeout>()
  private closed = false

  constructor(
    private readonly delayMs: number,
    private readonly fire: (key: K) => void,
  ) {}

  /** (Re)starts the key's quiet period. */
  schedule(key: K): void {
    if (this.closed) return
    const running = this.timers.get(key)
    if (running !== undefined) clearTimeout(running)
    const timer = setTimeout(() => {
      this.timers.delete(key)
      this.fire(key)
    }, this.delayMs)
    timer.unref()
    this.timers.set(key, timer)
  }

  /** Keys waiting for their quiet period to end. */
  get pending(): number {
    return this.timers.size
  }

  /** Cancels every pending key; later schedules are ignored. */
  close(): void {
    this.closed = true
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }
}
