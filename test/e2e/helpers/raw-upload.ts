/**
 * HTTP/1.1 uploads over a bare TCP socket, for hostile bodies (raw-http.ts is for pipelined requests): a body sent chunk by chunk (and stopped, stalled or abandoned
 * at will), the answer read as soon as it comes even while the body is still being sent, and whether the server closed
 * the connection. fetch cannot do this: it sends the whole body first, and a server's early answer reaches it late or
 * as an error.
 */
import net from 'node:net'

export interface RawAnswer {
  readonly status: number
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  /** The body parsed as JSON, or undefined. */
  readonly body: any
  /** Milliseconds from the connection's start to the whole answer. */
  readonly ms: number
}

export class RawConnection {
  readonly socket: net.Socket
  private received = Buffer.alloc(0)
  private readonly started = performance.now()
  private waiters: Array<() => void> = []
  /** Body bytes the socket accepted (written or queued to the kernel). */
  sent = 0
  /** Resolves when the socket is closed (by either side). */
  readonly closed: Promise<void>
  /** Whether the server ended or reset its side. */
  serverClosed = false

  constructor(url: string) {
    const {hostname, port} = new URL(url)
    this.socket = net.connect(Number(port), hostname)
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk])
      this.wake()
    })
    this.socket.on('end', () => {
      this.serverClosed = true
      this.wake()
    })
    // A write after the server's close fails (EPIPE, ECONNRESET): that is how a refused upload ends.
    this.socket.on('error', () => {
      this.serverClosed = true
      this.wake()
    })
    this.closed = new Promise((resolve) => this.socket.on('close', () => {
      this.wake()
      resolve()
    }))
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const wake of waiters) wake()
  }

  /** Writes the request line and headers. */
  head(method: string, path: string, headers: Record<string, string | number>): void {
    const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)]
    this.socket.write(lines.join('\r\n') + '\r\n\r\n')
  }

  /** Writes body bytes, waiting for the socket to drain; false once the connection is closed or answered. */
  async write(bytes: Uint8Array | string): Promise<boolean> {
    if (this.socket.destroyed || this.serverClosed || this.parse() !== undefined) return false
    const flushed = this.socket.write(bytes)
    this.sent += typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length
    if (!flushed) await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
    return !this.socket.destroyed
  }

  /**
   * Sends `total` bytes of `chunk` repeated (the last one cut), stopping early when the server answers or closes.
   * Returns the bytes sent.
   */
  async sendRepeated(chunk: Uint8Array, total: number): Promise<number> {
    let left = total
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
      if (!(await this.write(part))) break
      left -= part.length
    }
    return total - left
  }

  /** The whole answer, once it has arrived; fails after `timeoutMs`. */
  async answer(timeoutMs = 10_000): Promise<RawAnswer> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const parsed = this.parse()
      if (parsed !== undefined) return parsed
      if (this.socket.destroyed) throw new Error(`the connection closed without a whole answer (received ${JSON.stringify(this.received.toString('latin1').slice(0, 200))})`)
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`no whole answer within ${timeoutMs} ms (received ${JSON.stringify(this.received.toString('latin1').slice(0, 200))})`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50))
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Resolves true when the connection closes within `timeoutMs`, false otherwise. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const closed = await Promise.race([this.closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))])
    clearTimeout(timer)
    return closed
  }

  destroy(): void {
    this.socket.destroy()
  }

  private parse(): RawAnswer | undefined {
    const end = this.received.indexOf('\r\n\r\n')
    if (end < 0) return undefined
    const [statusLine, ...lines] = this.received.subarray(0, end).toString('latin1').split('\r\n')
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    const length = Number(headers['content-length'] ?? 0)
    if (this.received.length < end + 4 + length) return undefined
    const text = this.received.subarray(end + 4, end + 4 + length).toString('utf8')
    let body: any
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    return {status: Number(statusLine.split(' ')[1]), headers, text, body, ms: performance.now() - this.started}
  }
}

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
