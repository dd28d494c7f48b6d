/**
 * HTTP/1.1 on a raw TCP socket, for the tests that need what fetch hides: pipelined requests written at once, a
 * request left unfinished, the exact bytes of an answer Node wrote itself.
 */
import net from 'node:net'

export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

/** A socket to `url`'s host and port, connected. */
export function connect(url: string): Promise<net.Socket> {
  const {hostname, port} = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect({host: hostname, port: Number(port)}, () => resolve(socket))
    socket.once('error', reject)
  })
}

/** A request's bytes: `body` JSON-encoded when it is not a string, with its content length. */
export function requestBytes(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): string {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)
  const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)]
  if (body !== undefined) lines.push('content-type: application/json', `content-length: ${Buffer.byteLength(text)}`)
  return `${lines.join('\r\n')}\r\n\r\n${text}`
}

/** Splits complete answers (content-length bodies) off the front of `buffer`; returns them and what is left. */
export function parseAnswers(buffer: Buffer): {answers: RawAnswer[]; rest: Buffer} {
  const answers: RawAnswer[] = []
  let rest: Buffer = buffer
  for (;;) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) break
    const [statusLine, ...headerLines] = rest.subarray(0, end).toString('latin1').split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of headerLines) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const length = Number(headers['content-length'] ?? 0)
    if (rest.length < end + 4 + length) break
    answers.push({status: Number(statusLine.split(' ')[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString('utf8')})
    rest = rest.subarray(end + 4 + length)
  }
  return {answers, rest}
}

/**
 * Reads answers from `socket` until `count` came, the socket closed or `timeoutMs` passed; `closed` says whether the
 * server closed the socket (or reset it) meanwhile.
 */
export function readAnswers(socket: net.Socket, count: number, timeoutMs = 10_000): Promise<{answers: RawAnswer[]; closed: boolean}> {
  return new Promise((resolve) => {
    let buffer: Buffer = Buffer.alloc(0)
    const answers: RawAnswer[] = []
    const finish = (closed: boolean) => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', onClose)
      resolve({answers, closed})
    }
    const onData = (chunk: Buffer) => {
      const parsed = parseAnswers(Buffer.concat([buffer, chunk]))
      answers.push(...parsed.answers)
      buffer = parsed.rest
      if (answers.length >= count) finish(false)
    }
    const onClose = () => finish(true)
    const timer = setTimeout(() => finish(socket.destroyed), timeoutMs)
    socket.on('data', onData)
    socket.once('close', onClose)
    socket.on('error', () => undefined)
  })
}

/** Resolves once the server closed `socket` (true), or false after `timeoutMs`. */
export function closedWithin(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    socket.on('error', () => undefined)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
    socket.resume()
  })
}
