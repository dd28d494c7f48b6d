/**
 * gRPC connections under our control. grpc-js listens and accepts on its own and shows no socket, so a silent
 * connection (one that never sends the HTTP/2 preface), a client pinging in a loop, or a flood of idle connections
 * could not be bounded. Here the listening socket is ours (a net.Server); each accepted connection is admitted to the
 * transport's connection table (max_connections) and handed to grpc-js through its public connection injector
 * (`Server.createConnectionInjector`). The HTTP/2 sessions grpc-js builds on them are watched through the injector's
 * HTTP/2 server, which grpc-js keeps in a private field: that one read is checked when the server starts and fails
 * loudly, naming the version mls needs, if grpc-js changed it.
 *
 * Per connection: closed when the handshake (TLS, the preface and the client's SETTINGS) is not done within
 * grpc_handshake_timeout; busy while a call is open; a client that pings more often than
 * grpc_keepalive_min_ping_interval while no call is open gets, after MAX_PING_STRIKES such pings, a GOAWAY
 * ENHANCE_YOUR_CALM "too_many_pings" and is closed (gRPC's keepalive enforcement; grpc-js 1.14's server does not do
 * it). Idle GOAWAY and server keepalive pings are grpc-js's own (its max_connection_idle_ms, keepalive_*_ms options).
 */
import http2 from 'node:http2'
import net from 'node:net'
import type * as grpc from '@grpc/grpc-js'
import type {Logger} from '../../logger.js'
import type {ConnectionTable, TrackedConnection} from '../connections/connection-table.js'

/** Pings too early that a connection is forgiven before its GOAWAY (gRPC's default max_ping_strikes). */
export const MAX_PING_STRIKES = 2

export interface GrpcConnectionLimits {
  /** The transport's connection table (max_connections). */
  readonly table: ConnectionTable
  /** Milliseconds to finish TLS, the preface and SETTINGS; 0: no limit. */
  readonly handshakeTimeoutMs: number
  /** The shortest interval between client pings while no call is open; 0: not enforced. */
  readonly minPingIntervalMs: number
  readonly logger: Logger
}

/** The listening side of the gRPC server: bound and accepting, handing connections to grpc-js. */
export interface GrpcListener {
  readonly port: number
  /** Stops accepting and closes the connections that have no HTTP/2 session yet (grpc-js closes the others). */
  stopAccepting(): void
  /** Closes every connection still open. */
  destroyAll(): void
}

interface Accepted {
  readonly socket: net.Socket
  readonly tracked: TrackedConnection
  handshake?: NodeJS.Timeout
  session?: http2.Http2Session
}

const INTERNALS_CHANGED =
  'mls cannot watch gRPC connections: @grpc/grpc-js no longer keeps the connection injector\'s HTTP/2 server in ' +
  '`Server.http2Servers` (a private field mls reads; checked with @grpc/grpc-js 1.14). Install the @grpc/grpc-js version ' +
  'mls pins in package.json'

/** grpc-js's connection injector and the HTTP/2 server under it (found in grpc-js's private `http2Servers` map). */
function injectorOf(server: grpc.Server, credentials: grpc.ServerCredentials): {injector: grpc.ConnectionInjector; http2Server: net.Server} {
  const servers = (server as unknown as {http2Servers?: unknown}).http2Servers
  if (!(servers instanceof Map) || typeof server.createConnectionInjector !== 'function') throw new Error(INTERNALS_CHANGED)
  const before = new Set(servers.keys())
  const injector = server.createConnectionInjector(credentials)
  const added = [...servers.keys()].filter((key) => !before.has(key))
  if (added.length !== 1 || !(added[0] instanceof net.Server)) throw new Error(INTERNALS_CHANGED)
  return {injector, http2Server: added[0]}
}

const peerOf = (address: string | undefined, port: number | undefined) => `${address}|${port}`

/**
 * Binds host:port and serves `server`'s services on the connections accepted there, within `limits`.
 * Rejects with the bind error (EADDRINUSE...).
 */
export async function listenGrpc(server: grpc.Server, credentials: grpc.ServerCredentials, host: string, port: number, limits: GrpcConnectionLimits): Promise<GrpcListener> {
  const {injector, http2Server} = injectorOf(server, credentials)
  // By the client's address and port: over TLS the session's socket is not the TCP socket accepted.
  const accepted = new Map<string, Accepted>()

  http2Server.on('session', (session: http2.Http2Session) => {
    const entry = accepted.get(peerOf(session.socket?.remoteAddress, session.socket?.remotePort))
    if (entry === undefined) return
    entry.session = session
    const {tracked} = entry
    if (entry.handshake !== undefined) {
      session.once('remoteSettings', () => {
        clearTimeout(entry.handshake)
        entry.handshake = undefined
      })
    }
    let lastPing = 0
    let strikes = 0
    session.on('stream', (stream: http2.ServerHttp2Stream) => {
      tracked.begin()
      strikes = 0
      stream.once('close', () => tracked.end())
    })
    if (limits.minPingIntervalMs > 0) {
      session.on('ping', () => {
        const now = Date.now()
        const early = !tracked.isBusy && lastPing !== 0 && now - lastPing < limits.minPingIntervalMs
        lastPing = now
        if (!early || ++strikes <= MAX_PING_STRIKES) return
        limits.logger.debug(`gRPC connection from ${session.socket?.remoteAddress}: pings more often than grpc_keepalive_min_ping_interval: GOAWAY ENHANCE_YOUR_CALM`)
        try {
          session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from('too_many_pings'))
        } finally {
          // After the GOAWAY is written (setImmediate: it is queued on the socket first).
          setImmediate(() => session.destroy())
        }
      })
    }
  })

  const listener = net.createServer((socket) => {
    const tracked = limits.table.admit(() => socket.destroy())
    if (tracked === undefined) {
      socket.destroy()
      return
    }
    const peer = peerOf(socket.remoteAddress, socket.remotePort)
    const entry: Accepted = {socket, tracked}
    accepted.set(peer, entry)
    if (limits.handshakeTimeoutMs > 0) {
      entry.handshake = setTimeout(() => {
        limits.logger.debug(`gRPC connection from ${socket.remoteAddress}: no HTTP/2 handshake within grpc_handshake_timeout: closed`)
        socket.destroy()
      }, limits.handshakeTimeoutMs)
    }
    socket.on('error', () => undefined)
    socket.once('close', () => {
      clearTimeout(entry.handshake)
      if (accepted.get(peer) === entry) accepted.delete(peer)
      tracked.remove()
    })
    injector.injectConnection(socket)
  })

  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject)
    listener.listen({host, port}, () => {
      listener.off('error', reject)
      resolve()
    })
  })
  listener.on('error', (error) => limits.logger.warn(`gRPC listener: ${error.message}`))
  return {
    port: (listener.address() as net.AddressInfo).port,
    stopAccepting() {
      listener.close()
      for (const entry of accepted.values()) if (entry.session === undefined) entry.socket.destroy()
    },
    destroyAll() {
      for (const entry of accepted.values()) entry.socket.destroy()
    },
  }
}
