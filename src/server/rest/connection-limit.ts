/**
 * max_connections on the REST server: every TCP connection is admitted to the transport's connection table (which may
 * close the quietest idle one, or refuse the new one when all are busy), and each request marks its connection busy
 * from its headers until its answer is written or given up. Over TLS the table sees the TCP connection (a handshake
 * never finished is a quiet connection) and the request the TLS socket on it: the two are matched by the client's
 * address and port, unique among open connections.
 */
import type {Server as HttpServer} from 'node:http'
import type {Socket} from 'node:net'
import type {TLSSocket} from 'node:tls'
import type {ConnectionTable, TrackedConnection} from '../connections/connection-table.js'

const TRACKED = Symbol('mls.tracked-connection')

type Tracked = Socket & {[TRACKED]?: TrackedConnection}

const peerOf = (socket: Socket): string => `${socket.remoteAddress}|${socket.remotePort}`

export function limitConnections(server: HttpServer, table: ConnectionTable, tls: boolean): void {
  // TLS only: TCP connections admitted and not yet through their handshake, by peer.
  const handshaking = new Map<string, TrackedConnection>()
  server.on('connection', (socket: Tracked) => {
    const tracked = table.admit(() => socket.destroy())
    if (tracked === undefined) {
      socket.destroy()
      return
    }
    socket[TRACKED] = tracked
    if (tls) {
      const peer = peerOf(socket)
      handshaking.set(peer, tracked)
      socket.once('close', () => {
        if (handshaking.get(peer) === tracked) handshaking.delete(peer)
        tracked.remove()
      })
    } else {
      socket.once('close', () => tracked.remove())
    }
  })
  if (tls) {
    server.on('secureConnection', (socket: TLSSocket & Tracked) => {
      const peer = peerOf(socket)
      socket[TRACKED] = handshaking.get(peer)
      handshaking.delete(peer)
    })
  }
  // Before fastify's own listener: a request it answers at once is still seen starting before its answer ends.
  server.prependListener('request', (request, response) => {
    const tracked = (request.socket as Tracked)[TRACKED]
    if (tracked === undefined) return
    tracked.begin()
    response.once('close', () => tracked.end())
  })
}
