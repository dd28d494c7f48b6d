/**
 * The open connections of one transport in this process, capped at max_connections. Cheap connections are the attack
 * (each holds a file descriptor and some memory, and a few thousand exhaust the process), so at the cap a new
 * connection takes the place of the quietest one that is not serving anything (an idle keep-alive connection, or one
 * stalled before its first request, or its TLS or HTTP/2 handshake); only when every connection is busy is the new one
 * refused. A busy connection is never closed for a newcomer: what it serves was accepted. Transport-free: a transport
 * says when a connection opens and closes, and when a request (or call) on it starts and ends.
 */

/** Told of each connection refused or closed to make room (metrics). */
export interface ConnectionObserver {
  connectionRefused(transport: string): void
  connectionEvicted(transport: string): void
}

export interface ConnectionTableOptions {
  /** 'rest' or 'grpc': the metrics label. */
  readonly transport: string
  /** max_connections. */
  readonly max: number
  readonly observer?: ConnectionObserver
}

/** One open connection in the table. */
export class TrackedConnection {
  /** Requests or calls in flight on it. */
  private active = 0
  private open = true

  constructor(
    private readonly table: ConnectionTable,
    /** Closes the connection (when it is evicted). */
    readonly close: () => void,
  ) {}

  /** A request or call started on this connection: it is busy until as many `end`s. */
  begin(): void {
    if (this.active++ === 0 && this.open) this.table.busy(this)
  }

  /** A request or call on this connection ended (answered, or given up). */
  end(): void {
    if (this.active === 0) return
    if (--this.active === 0 && this.open) this.table.idle(this)
  }

  /** Whether a request or call is in flight. */
  get isBusy(): boolean {
    return this.active > 0
  }

  /** The connection closed (whoever closed it); calling it again does nothing. */
  remove(): void {
    if (!this.open) return
    this.open = false
    this.table.forget(this, this.active > 0)
  }
}

export class ConnectionTable {
  /**
   * The connections not serving anything, quietest first: a connection joins at the end when it opens and each time
   * its last request ends, and leaves while it is busy (a Set keeps insertion order: the first is the quietest).
   */
  private readonly quiet = new Set<TrackedConnection>()
  private busyCount = 0

  constructor(private readonly options: ConnectionTableOptions) {}

  /** Open connections. */
  get size(): number {
    return this.quiet.size + this.busyCount
  }

  /** Open connections serving a request or call. */
  get busyConnections(): number {
    return this.busyCount
  }

  /**
   * A new connection: admitted, after closing the quietest non-busy connection when the table is full; undefined when
   * the table is full of busy connections (the caller closes the new one).
   */
  admit(close: () => void): TrackedConnection | undefined {
    if (this.size >= this.options.max) {
      const quietest = this.quiet.values().next().value
      if (quietest === undefined) {
        this.options.observer?.connectionRefused(this.options.transport)
        return undefined
      }
      // Forgotten now, not when its close event comes: the newcomer takes its place at once.
      quietest.remove()
      this.options.observer?.connectionEvicted(this.options.transport)
      quietest.close()
    }
    const connection = new TrackedConnection(this, close)
    this.quiet.add(connection)
    return connection
  }

  /** @internal A connection's first request started. */
  busy(connection: TrackedConnection): void {
    this.quiet.delete(connection)
    this.busyCount++
  }

  /** @internal A connection's last request ended: it is now the most recently active quiet connection. */
  idle(connection: TrackedConnection): void {
    this.busyCount--
    this.quiet.add(connection)
  }

  /** @internal A connection closed. */
  forget(connection: TrackedConnection, wasBusy: boolean): void {
    if (wasBusy) this.busyCount--
    else this.quiet.delete(connection)
  }
}
