/** REST clients that go away: a request whose connection closes before its answer is given up (that frees its place). */
import type {Socket} from 'node:net'
import type {FastifyReply} from 'fastify'
import type {ClientWatch, RequestScope} from '../../dataplane/request-scope.js'

const SCOPES = Symbol('mls.inflight-scopes')

type WatchedSocket = Socket & {[SCOPES]?: Set<RequestScope>}

/**
 * Watches for the connection closing before the answer is written: the client gave up (that frees its request's
 * place). One 'close' listener per connection, installed by its first inference, serves every request on it; a
 * request only joins and leaves the connection's set, instead of adding and removing a listener on each response.
 *
 * The socket is the request's, never the response's: a pipelined request's response waits for the answers before it
 * and has no socket until then (`reply.raw.socket` is null), which is a queued answer, not a client gone. A client is
 * gone only when its socket closed.
 */
export function connectionWatch(reply: FastifyReply): ClientWatch {
  return (scope) => {
    const socket = reply.request.raw.socket as WatchedSocket | null
    if (socket === null || socket.destroyed) {
      scope.clientGone()
      return
    }
    let scopes = socket[SCOPES]
    if (scopes === undefined) {
      const set = (scopes = socket[SCOPES] = new Set())
      socket.once('close', () => {
        for (const waiting of set) waiting.clientGone()
        set.clear()
      })
    }
    scopes.add(scope)
    return () => void scopes.delete(scope)
  }
}
