/**
 * The server's log while a dashboard owns the terminal: the logger writes lines here instead of stderr, the log pane
 * subscribes to them. When the dashboard closes, `passThrough` sends later lines on to stderr again.
 */

/** Lines to show, and a way to hear of new ones. */
export interface LogSource {
  /** The kept lines, oldest first (the same array until a line is added). */
  lines(): readonly string[]
  /** Calls `listener` after lines were added; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
}

/** A bounded buffer of log lines (the oldest dropped first). */
export class LogBuffer implements LogSource {
  private kept: string[] = []
  private snapshot: readonly string[] = []
  private version = 0
  private snapshotVersion = 0
  private readonly listeners = new Set<() => void>()
  private sink?: (line: string) => void

  constructor(private readonly capacity = 1000) {}

  /** Adds a line (a line with newlines in it, such as a stack, becomes several). Bound, so it can be passed as is. */
  readonly write = (line: string): void => {
    if (this.sink) return this.sink(line)
    this.kept.push(...line.replace(/\n+$/, '').split('\n'))
    if (this.kept.length > this.capacity) this.kept = this.kept.slice(this.kept.length - this.capacity)
    this.version++
    for (const listener of this.listeners) listener()
  }

  lines(): readonly string[] {
    if (this.snapshotVersion !== this.version) {
      this.snapshot = [...this.kept]
      this.snapshotVersion = this.version
    }
    return this.snapshot
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** From now on, lines go straight to `sink`, after the last `replay` kept lines (the buffer keeps what it has). */
  passThrough(sink: (line: string) => void, replay = 0): void {
    if (replay > 0) for (const line of this.kept.slice(-replay)) sink(line)
    this.sink = sink
  }
}
