/**
 * How a connection ends after its request body was refused before it all arrived (too deep, too large, no budget, too
 * slow). The rest of the body is not wanted, and the connection cannot be kept: fastify answers such a refusal with
 * `Connection: close`, and Node then ends the socket and destroys it as soon as the answer is written. But closing a
 * socket that still has unread bytes makes the kernel send a reset, and a reset that overtakes the answer makes the
 * client see ECONNRESET instead of our 400 / 413 / 503 / 408 (measured here: 2 of 10 refused 60 MB uploads got no
 * answer). So, after the answer: send FIN, read nothing more, and close LINGER_MS later. Reading is paused, so the
 * client's bytes stop at the kernel's receive buffer (a few MB at most), and the cost of a refused body stays what was
 * read before the refusal. (nginx's lingering_close reads and drops the rest instead; on loopback a client sends a
 * megabyte in a millisecond, so any byte bound small enough to be cheap closed the socket before the client had read
 * the answer.)
 */
import type {IncomingMessage} from 'node:http'
import type {Socket} from 'node:net'

/** How long the connection of a refused body stays open, not read, after its answer. */
export const LINGER_MS = 2000

type ClosingSocket = Socket & {destroySoon?: () => void}

/**
 * Makes the connection of `request` linger when Node closes it after the answer (it calls `destroySoon` once an
 * answer with `Connection: close` is written). Nothing to do without a socket (`inject`).
 */
export function lingerAfterAnswer(request: IncomingMessage): void {
  const socket = request.socket as ClosingSocket | null
  if (socket === null || socket.destroyed || typeof socket.destroySoon !== 'function') return
  socket.destroySoon = function lingeringClose(this: ClosingSocket) {
    if (this.writable) this.end()
    const timer = setTimeout(() => this.destroy(), LINGER_MS)
    timer.unref()
    this.once('close', () => clearTimeout(timer))
    // The request stream is paused (body-reader.ts); the socket stops reading once its small buffer is full.
    request.pause()
  }
}
