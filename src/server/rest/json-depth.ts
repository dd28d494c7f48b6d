/**
 * The nesting depth of JSON text, measured as its bytes arrive: a body of 60 MB of `[` would otherwise be read whole and
 * handed to JSON.parse, which takes seconds and gigabytes to build (and refuse) that tree. The scanner keeps its state
 * between chunks (inside a string or not, after a backslash or not), so a string or an escape split across two chunks
 * counts right, and reports the first byte that opens one level more than the limit.
 *
 * It counts, it does not validate: `]` or `}` without an opener never lowers the depth below 0 (that could let a later
 * run of openers go deeper), and malformed text is left for JSON.parse to name. Bytes of multi-byte UTF-8 characters are
 * all >= 0x80, so scanning bytes never mistakes part of a character for a bracket or a quote.
 */

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

export class JsonDepthScanner {
  private depth = 0
  private inString = false
  private escaped = false
  /** Bytes scanned before the current chunk. */
  private offset = 0

  constructor(readonly maxDepth: number) {}

  /**
   * Scans the next chunk. Returns the offset in the whole text (from 0) of the first byte that opens a level deeper than
   * maxDepth, or -1 when the chunk stays within it.
   */
  scan(chunk: Uint8Array): number {
    const max = this.maxDepth
    let depth = this.depth
    let inString = this.inString
    let escaped = this.escaped
    const length = chunk.length
    for (let i = 0; i < length; i++) {
      const byte = chunk[i]
      if (inString) {
        if (escaped) escaped = false
        else if (byte === BACKSLASH) escaped = true
        else if (byte === QUOTE) inString = false
      } else if (byte === QUOTE) {
        inString = true
      } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        if (++depth > max) {
          this.depth = depth
          return this.offset + i
        }
      } else if ((byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) && depth > 0) {
        depth--
      }
    }
    this.depth = depth
    this.inString = inString
    this.escaped = escaped
    this.offset += length
    return -1
  }
}
