/**
 * Node's own refusals in our error shape. Node's HTTP parser refuses some requests before fastify sees them: headers
 * or a request not received in time (request_headers_timeout, request_timeout), headers over Node's size limit, a
 * request line or header that is not HTTP. It tells the server's 'clientError' handler, whose default answers in
 * Node's (or fastify's) words; this one answers with the catalogue's JSON body and code, as every other REST error.
 */
import {maxHeaderSize, STATUS_CODES} from 'node:http'
import type {Duplex} from 'node:stream'
import {MlsError} from '../../errors.js'
import type {Logger} from '../../logger.js'
import {toHttpError} from './error-map.js'

/**
 * After the answer, how long the socket is kept to read (and drop) what the client still sends before it is closed:
 * closing with unread bytes sends a reset, which can make the client drop the answer before reading it.
 */
const LINGER_MS = 1000

const ANSWERED = Symbol('mls.client-error-answered')

type Refused = Duplex & {[ANSWERED]?: true; _httpMessage?: {headersSent?: boolean} | null}

/** Whether `error` is the HTTP layer refusing a request (an answer can be written), not a socket or TLS failure. */
function isHttpRefusal(error: NodeJS.ErrnoException): boolean {
  const code = error.code ?? ''
  return code === 'ERR_HTTP_REQUEST_TIMEOUT' || code.startsWith('HPE_')
}

/** The catalogue's code and words for a refusal of Node's HTTP server. */
export function refusalOf(error: NodeJS.ErrnoException): MlsError {
  const code = error.code ?? ''
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return new MlsError('REQUEST_TIMEOUT', 'the request was not received in time (request_headers_timeout, request_timeout)')
  if (code === 'HPE_HEADER_OVERFLOW') return new MlsError('HEADERS_TOO_LARGE', `the request headers exceed the HTTP server's header size limit (${maxHeaderSize} bytes, node --max-http-header-size)`)
  const {reason} = error as {reason?: unknown}
  const detail = typeof reason === 'string' ? `: ${reason}` : ''
  return new MlsError('INVALID_REQUEST', `the request is not valid HTTP/1.1 (${code || error.message}${detail})`)
}

/** The whole HTTP answer to a refusal: status line, JSON body, and the connection closed after it. */
export function refusalAnswer(error: MlsError): string {
  const {status, body, headers} = toHttpError(error)
  const text = JSON.stringify(body)
  const extra = Object.entries(headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${extra}connection: close\r\n\r\n${text}`
}

/**
 * The server's 'clientError' handler: answers once, if the socket can still be written and no answer has begun on it,
 * then closes the connection (after a short linger); a reset connection is only closed.
 */
export function clientErrorHandler(logger: Logger): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  return (error, socket) => {
    const refused = socket as Refused
    if (refused[ANSWERED]) return
    refused[ANSWERED] = true
    // Only the HTTP parser's refusals are answered; a reset, a TLS handshake that failed or timed out (nothing
    // readable can be written on it) and other socket errors are closed.
    if (!isHttpRefusal(error) || socket.destroyed) {
      socket.destroy()
      return
    }
    const refusal = refusalOf(error)
    logger.debug(`connection refused by the HTTP parser: ${refusal.code}: ${refusal.message}`)
    if (!socket.writable || refused._httpMessage?.headersSent === true) {
      socket.destroy()
      return
    }
    socket.end(refusalAnswer(refusal))
    const close = () => socket.destroy()
    const timer = setTimeout(close, LINGER_MS)
    timer.unref()
    socket.once('end', close)
    socket.once('close', () => clearTimeout(timer))
    socket.on('error', () => undefined)
  }
}
