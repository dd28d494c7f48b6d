/**
 * Inflating a compressed REST request body as it arrives (Node's streaming zlib, run off the event loop): gzip
 * (RFC 1952) for `Content-Encoding: gzip`; for `deflate`, the zlib format (RFC 1950, what the coding means and what
 * tritonclient sends, Python's zlib.compress) or, when the body does not start with a zlib header, a raw deflate
 * stream (RFC 1951), as some clients send (browsers and curl accept both the same way). The reader
 * (body-reader.ts) counts what comes out and destroys the inflater at its limit.
 */
import zlib from 'node:zlib'

/** What the inflater tells its reader. */
export interface InflaterEvents {
  /** Inflated bytes, at most OUTPUT_CHUNK at a time. */
  data(chunk: Buffer): void
  /** The compressed data is corrupt or truncated. */
  error(error: Error): void
  /** All input was inflated. */
  end(): void
  /** The inflater took what it was given and wants more (after write returned false). */
  drained(): void
}

/** Bytes per output chunk: the granularity at which the reader can stop a bomb. */
const OUTPUT_CHUNK = 64 * 1024

/** Whether two bytes open a zlib stream (RFC 1950 §2.2): deflate method, window up to 32 KiB, check bits. */
export function isZlibHeader(cmf: number, flg: number): boolean {
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0
}

export class BodyInflater {
  private stream?: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw
  /** deflate: the first byte, while the format is not known yet. */
  private head?: Buffer

  constructor(
    private readonly encoding: 'gzip' | 'deflate',
    private readonly events: InflaterEvents,
  ) {
    if (encoding === 'gzip') this.open(zlib.createGunzip({chunkSize: OUTPUT_CHUNK}))
  }

  /** Feeds compressed bytes; `done` once they are taken. False: wait for `drained` before writing more. */
  write(chunk: Buffer, done: () => void): boolean {
    if (this.stream === undefined) {
      const bytes = this.head === undefined ? chunk : Buffer.concat([this.head, chunk])
      if (bytes.length < 2) {
        this.head = bytes
        done()
        return true
      }
      this.head = undefined
      this.open(isZlibHeader(bytes[0], bytes[1]) ? zlib.createInflate({chunkSize: OUTPUT_CHUNK}) : zlib.createInflateRaw({chunkSize: OUTPUT_CHUNK}))
      return this.stream!.write(bytes, () => done())
    }
    return this.stream.write(chunk, () => done())
  }

  /** No more input: `end` (or `error`, for a truncated stream) follows. */
  end(): void {
    if (this.stream === undefined) {
      // Fewer than two bytes of deflate: too short for either format, the inflater says so.
      this.open(zlib.createInflate({chunkSize: OUTPUT_CHUNK}))
      if (this.head !== undefined) this.stream!.write(this.head)
    }
    this.stream!.end()
  }

  /** Stops at once: no more output, zlib's memory freed. */
  destroy(): void {
    const stream = this.stream
    if (stream === undefined || stream.destroyed) return
    stream.removeAllListeners('data')
    stream.removeAllListeners('drain')
    stream.removeAllListeners('end')
    // A write in flight may still report an error as the stream closes: nobody listens any more.
    stream.removeAllListeners('error')
    stream.on('error', () => {})
    stream.destroy()
  }

  private open(stream: zlib.Gunzip | zlib.Inflate | zlib.InflateRaw): void {
    this.stream = stream
    stream.on('data', (chunk: Buffer) => this.events.data(chunk))
    stream.on('error', (error) => this.events.error(error))
    stream.on('end', () => this.events.end())
    stream.on('drain', () => this.events.drained())
  }
}
