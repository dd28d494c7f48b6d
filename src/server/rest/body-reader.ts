/**
 * Reading a REST request body, chunk by chunk, instead of fastify's buffering (which only counts bytes against one
 * limit). Every rule is applied as the bytes arrive, so a body is refused at the first chunk that breaks one and costs
 * what was read up to there:
 * - max_request_size: 413 PAYLOAD_TOO_LARGE, from Content-Length before anything is read, else as the count passes it;
 * - max_json_depth: the JSON part is scanned as it arrives (json-depth.ts), 400 JSON_TOO_DEEP at the first byte that
 *   nests too deep, long before JSON.parse would build the tree;
 * - max_buffered_request_bytes: the bytes are taken from the process's budget (body-budget.ts), 503 SERVER_BUSY when
 *   they do not fit, and given back however the body ends (complete, refused, or its connection closed);
 * - request_body_timeout: 408 REQUEST_TIMEOUT when no data arrives for that long;
 * - Content-Encoding gzip / deflate: inflated as it arrives, max_request_size bounding the inflated size too.
 * A refused body is not read further: fastify answers a parser error with `Connection: close`, and the connection is
 * closed once that answer is written (lingering-close.ts), so the rest of the body is never received.
 */
import type {Readable} from 'node:stream'
import type {FastifyRequest} from 'fastify'
import {MlsError} from '../../errors.js'
import type {BodyBudget} from './body-budget.js'
import type {BodySilenceWatch} from './body-silence.js'
import type {BodyEncoding} from './content-encoding.js'
import {BodyInflater} from './inflate-body.js'
import {JsonDepthScanner} from './json-depth.js'

/** The limits a body is read under (from the server settings). */
export interface BodyLimits {
  /** max_request_size, bytes. */
  readonly maxRequestSize: number
  /** max_json_depth. */
  readonly maxJsonDepth: number
  /** request_body_timeout in seconds; 0: none. */
  readonly bodyTimeout: number
  /** max_buffered_request_bytes, shared by every body of this process. */
  readonly budget: BodyBudget
  /** Keeps request_body_timeout (body-silence.ts); none when it is 0. */
  readonly silence?: BodySilenceWatch
}

export type BodyCallback = (error: MlsError | null, body?: Buffer) => void

/**
 * Reads `payload` (the request stream) whole and calls `callback` once, with the body or the refusal. The first
 * `jsonBytes` bytes are JSON text and are scanned for depth (Infinity: the whole body; the binary extension's data
 * part after its JSON header is not JSON). The budget is given back after the callback returns: the bytes are held
 * while it parses them.
 *
 * A body sent with a Content-Encoding (gzip, deflate) is inflated as it arrives (inflate-body.ts): the bytes on the wire
 * are counted as any body's (max_request_size, the budget, the timeouts), and the inflated bytes are counted again, as
 * they come out of the inflater: past max_request_size the inflater is destroyed at once (413), so a gzip bomb costs at
 * most max_request_size, never what it would inflate to. The depth scan and `jsonBytes` apply to the inflated body.
 */
export function readBody(
  request: FastifyRequest,
  payload: Readable,
  limits: BodyLimits,
  jsonBytes: number,
  callback: BodyCallback,
  encoding: BodyEncoding = 'identity',
): void {
  const {budget} = limits
  // A body larger than the whole budget could never be received: too large, not busy (nor worth retrying).
  const maxRequestSize = Math.min(limits.maxRequestSize, budget.limit)
  const declared = Number(request.headers['content-length'])
  // Node's HTTP parser refuses a malformed Content-Length; without one (chunked), the count alone decides.
  const expected = Number.isSafeInteger(declared) ? declared : undefined
  if (expected !== undefined && expected > maxRequestSize) return callback(tooLarge(limits, false))
  if (expected !== undefined && !budget.fits(expected)) return callback(busy(budget))

  const scanner = jsonBytes > 0 ? new JsonDepthScanner(limits.maxJsonDepth) : undefined
  const chunks: Buffer[] = []
  /** Bytes received on the wire. */
  let received = 0
  /** Bytes of the body (inflated, when encoded). */
  let size = 0
  /** Bytes taken from the budget and not given back yet. */
  let held = 0
  let finished = false
  /** The payload ended: its 'close' follows, while the inflater may still be working. */
  let ended = false
  const inflater = encoding === 'identity' ? undefined : new BodyInflater(encoding, {data: onInflated, error: onInflateError, end: onInflatedEnd, drained: onDrained})
  // From now: a client that sends headers and then nothing is timed out too.
  const watched = limits.silence?.watch(onTimeout)

  payload.on('data', onData)
  payload.on('end', onEnd)
  payload.on('error', onClose)
  payload.on('close', onClose)
  payload.resume()

  function onData(chunk: Buffer | string): void {
    if (finished) return
    if (typeof chunk === 'string') chunk = Buffer.from(chunk)
    if (received + chunk.length > maxRequestSize) return finish(tooLarge(limits, false))
    if (!budget.take(chunk.length)) return finish(busy(budget))
    held += chunk.length
    received += chunk.length
    if (watched !== undefined) watched.last = performance.now()
    if (inflater === undefined) return keep(chunk)
    // The wire bytes are held until the inflater has taken them; then only what they inflate to is.
    const length = chunk.length
    const room = inflater.write(chunk, () => {
      if (finished) return
      held -= length
      budget.give(length)
    })
    if (!room) payload.pause()
  }

  /** Inflated bytes, counted against max_request_size and the budget as they come out. */
  function onInflated(chunk: Buffer): void {
    if (finished) return
    if (size + chunk.length > maxRequestSize) return finish(tooLarge(limits, true))
    if (!budget.take(chunk.length)) return finish(busy(budget))
    held += chunk.length
    // Inflating is progress too: a large body inflating slowly is not a silent client.
    if (watched !== undefined) watched.last = performance.now()
    keep(chunk)
  }

  /** A chunk of the body: kept, and its JSON part scanned for depth. */
  function keep(chunk: Buffer): void {
    const start = size
    size += chunk.length
    chunks.push(chunk)
    if (scanner !== undefined && start < jsonBytes) {
      const at = scanner.scan(start + chunk.length <= jsonBytes ? chunk : chunk.subarray(0, jsonBytes - start))
      if (at >= 0) return finish(new MlsError('JSON_TOO_DEEP', `the JSON body nests arrays or objects deeper than max_json_depth (${limits.maxJsonDepth}): byte offset ${at} opens level ${limits.maxJsonDepth + 1}`))
    }
  }

  function onEnd(): void {
    ended = true
    if (finished) return
    if (expected !== undefined && received !== expected) {
      return finish(new MlsError('INVALID_REQUEST', `the body has ${received} bytes but Content-Length says ${expected}`))
    }
    if (inflater === undefined) return complete()
    // The inflater's end follows (onInflatedEnd), or its error.
    inflater.end()
  }

  function onDrained(): void {
    if (!finished) payload.resume()
  }

  function onInflatedEnd(): void {
    if (!finished) complete()
  }

  function onInflateError(error: Error): void {
    if (finished) return
    finish(new MlsError('INVALID_REQUEST', `the request body is not valid ${encoding} data (Content-Encoding: ${encoding}): ${error.message}`))
  }

  function complete(): void {
    finish(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
  }

  function onClose(): void {
    if (!finished && !ended) finish(new MlsError('REQUEST_CANCELLED', 'the client went away before the request body was received'))
  }

  function onTimeout(): void {
    if (!finished) finish(new MlsError('REQUEST_TIMEOUT', `no request body data arrived for request_body_timeout (${limits.bodyTimeout} s)`))
  }

  function finish(error: MlsError | null, body?: Buffer): void {
    finished = true
    if (watched !== undefined) limits.silence!.unwatch(watched)
    payload.removeListener('data', onData)
    payload.removeListener('end', onEnd)
    payload.removeListener('error', onClose)
    payload.removeListener('close', onClose)
    // Stops inflating at once (a bomb's next output chunk is never made) and frees zlib's memory.
    inflater?.destroy()
    // A refused body stays unread: paused, the socket stops reading once its buffer is full, until it is destroyed.
    if (error !== null) payload.pause()
    chunks.length = 0
    try {
      callback(error, body)
    } finally {
      budget.give(held)
    }
  }
}

function tooLarge(limits: BodyLimits, inflated: boolean): MlsError {
  const [name, limit] = limits.budget.limit < limits.maxRequestSize ? ['max_buffered_request_bytes', limits.budget.limit] : ['max_request_size', limits.maxRequestSize]
  return new MlsError('PAYLOAD_TOO_LARGE', `the request body${inflated ? ', decompressed,' : ''} is larger than ${name} (${limit} bytes)`)
}

function busy(budget: BodyBudget): MlsError {
  return new MlsError('SERVER_BUSY', `unfinished request bodies already hold what max_buffered_request_bytes (${budget.limit} bytes) allows; retry later`)
}
