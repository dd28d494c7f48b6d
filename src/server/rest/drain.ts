/**
 * The REST side of a graceful stop: the listener stays open while what was taken before the stop finishes, and every
 * answer from the stop on says `Connection: close`.
 *
 * - A request whose headers arrived before the stop is taken: it finishes (its body may still be arriving; the data
 *   plane does not refuse it, see `taken`), and the stop waits for its answer (`settled`).
 * - A request that arrives during the stop, on a connection open before it or accepted since, is answered 503
 *   SERVER_STOPPING in the catalogue's shape at once, before fastify reads its body: nothing of it runs. Liveness and
 *   readiness go through (200 / 503 from their routes): an orchestrator still gets answers until the listener closes.
 * - Connection: close goes on the newest answer each connection owes (the last of pipelined requests, so the ones
 *   queued before it are still written), and Node closes the connection once it is written. Connections idle all along
 *   are closed when the listener closes (fastify's close): closing them at the stop would reset a request that is on
 *   the wire at that moment, which waiting lets us answer.
 *
 * It wraps the server's 'request' listeners (fastify's handler) instead of a fastify hook, so the refusal costs no
 * hook on every request and fastify's own server options (timeouts, limits) stay as fastify sets them.
 */
import type {IncomingMessage, Server, ServerResponse} from 'node:http'
import type {Socket} from 'node:net'
import {serverStopping} from '../../dataplane/stop-state.js'
import {IdleWaiters} from '../../util/idle-waiters.js'
import {toHttpError} from './error-map.js'

/** The probes that still answer during the stop: liveness 200, readiness 503. */
const PROBES = new Set(['/v2/health/live', '/v2/health/ready', '/v2/health/live/', '/v2/health/ready/'])

export class RestDrain {
  private stopping = false
  /**
   * Requests taken before the stop, not answered yet, in the order they came. Kept always (the stop needs them at
   * once), at the cost of one set entry and one shared 'close' listener per request: no property is added to Node's
   * request, response or socket objects, whose shapes fastify's hot path relies on.
   */
  private readonly open = new Set<ServerResponse>()
  /** During the stop: the newest answer each connection owes, the one that carries Connection: close. */
  private readonly newest = new Map<Socket, ServerResponse>()
  private readonly idle = new IdleWaiters()
  /** Shared by every response: no closure per request. */
  private readonly closed: (this: ServerResponse) => void

  constructor() {
    const drain = this
    this.closed = function (this: ServerResponse) {
      drain.finished(this)
    }
  }

  /** Wraps `server`'s 'request' listeners (fastify's handler): every request passes through `take` first. */
  install(server: Server): void {
    const handlers = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>
    server.removeAllListeners('request')
    if (handlers.length === 1) {
      // fastify's handler alone (the usual case): called directly, no loop on every request.
      const [handler] = handlers
      server.on('request', (request: IncomingMessage, response: ServerResponse) => {
        if (this.take(request, response)) handler.call(server, request, response)
      })
      return
    }
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (!this.take(request, response)) return
      for (const handler of handlers) handler.call(server, request, response)
    })
  }

  /** REST requests taken before the stop that have not been answered yet. */
  get pending(): number {
    return this.open.size
  }

  /**
   * True unless a stop has begun and `response`'s request came after it: the data plane lets such a request finish
   * during a stop (its headers arrived before; its body may have come later).
   */
  taken(response: ServerResponse): boolean {
    return !this.stopping || this.open.has(response)
  }

  /** Begins the stop: Connection: close on every answer from now on; new requests but probes are refused. */
  begin(): void {
    if (this.stopping) return
    this.stopping = true
    // In the order they came: the last one seen per connection is the newest (pipelined answers before it are still
    // written, then this one closes the connection).
    for (const response of this.open) if (response.socket !== null) this.newest.set(response.socket, response)
    for (const response of this.newest.values()) closeAfter(response)
  }

  /** Resolves once every request taken before the stop has been answered (or its connection closed). */
  settled(): Promise<void> {
    return this.idle.wait(this.open.size === 0)
  }

  /** Before fastify sees the request: false when it was answered here (refused during the stop). */
  private take(request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.stopping) {
      this.open.add(response)
      response.on('close', this.closed)
      return true
    }
    const socket = response.socket
    if (socket !== null) {
      // This answer is now the newest one the connection owes: it closes the connection, not the one before it.
      const before = this.newest.get(socket)
      if (before !== undefined && !before.headersSent) before.shouldKeepAlive = true
      this.newest.set(socket, response)
      socket.once('close', () => this.newest.delete(socket))
    }
    closeAfter(response)
    if (PROBES.has(pathOf(request.url))) return true
    refuse(response)
    return false
  }

  private finished(response: ServerResponse): void {
    if (this.open.delete(response) && this.open.size === 0) this.idle.wake()
  }
}
/** Node writes Connection: close on this answer and closes the connection once it is written. */
function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.shouldKeepAlive = false
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return ''
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/** 503 SERVER_STOPPING in the catalogue's shape, written here: fastify never reads the body of a refused request. */
function refuse(response: ServerResponse): void {
  const {status, body, headers} = toHttpError(serverStopping())
  const text = JSON.stringify(body)
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  })
  response.end(text)
}
