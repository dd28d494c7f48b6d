/**
 * Compressed REST answers (MLServer's gzip_enabled, Starlette's GZipMiddleware with gzip_minimum_size; tritonclient's
 * response_compression_algorithm sends `Accept-Encoding: gzip` or `deflate`). An answer of at least `minimumSize`
 * bytes is compressed with the coding the client prefers by its q-values (gzip on a tie; deflate is the zlib format,
 * what Python's zlib.decompress and tritonclient read), and says `Vary: Accept-Encoding`; a smaller one never is (the
 * headers would outweigh the saving, and compressing costs more than sending). Compression runs on Node's thread
 * pool, off the event loop. Inference-Header-Content-Length keeps counting in the uncompressed body, as tritonclient
 * reads it: it decompresses the whole body first, then splits it there.
 */
import {promisify} from 'node:util'
import zlib from 'node:zlib'
import type {FastifyInstance} from 'fastify'
import type {Logger} from '../../logger.js'

export interface CompressionSettings {
  /** gzip_enabled. */
  readonly enabled: boolean
  /** gzip_minimum_size: answers smaller than this many bytes are sent as they are. */
  readonly minimumSize: number
}

export type ResponseCoding = 'gzip' | 'deflate'

const gzip = promisify(zlib.gzip)
const deflate = promisify(zlib.deflate)

/** The q-value of one Accept-Encoding element's parameters (RFC 9110 §12.4.2); 1 without one, 0 when malformed. */
function qOf(params: string[]): number {
  for (const param of params) {
    const match = /^\s*q\s*=\s*(\S*)\s*$/i.exec(param)
    if (match === null) continue
    return /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(match[1]) ? Number(match[1]) : 0
  }
  return 1
}

/**
 * The coding to answer with for an Accept-Encoding header (RFC 9110 §12.5.3): gzip or deflate by their q-values (a
 * coding named explicitly over `*`; q=0 refuses it), gzip on a tie; undefined: send it as it is.
 */
export function chooseCoding(header: string | undefined): ResponseCoding | undefined {
  if (header === undefined || header === '') return undefined
  let gzipQ: number | undefined
  let deflateQ: number | undefined
  let anyQ: number | undefined
  for (const element of header.split(',')) {
    const [name, ...params] = element.split(';')
    const coding = name.trim().toLowerCase()
    const q = qOf(params)
    if (coding === 'gzip' || coding === 'x-gzip') gzipQ = Math.max(gzipQ ?? 0, q)
    else if (coding === 'deflate') deflateQ = Math.max(deflateQ ?? 0, q)
    else if (coding === '*') anyQ = q
  }
  const g = gzipQ ?? anyQ ?? 0
  const d = deflateQ ?? anyQ ?? 0
  if (g === 0 && d === 0) return undefined
  return g >= d ? 'gzip' : 'deflate'
}

/** Adds the compression of answers to `app` (nothing when gzip_enabled is false). */
export function registerCompression(app: FastifyInstance, settings: CompressionSettings, logger: Logger): void {
  if (!settings.enabled) return
  const minimumSize = settings.minimumSize
  app.addHook('onSend', (request, reply, payload, done) => {
    // Streams (the docs' static files; infer_stream's events, each sent as it is produced) and empty answers go as
    // they are; so does anything already encoded.
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return done(null, payload)
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length
    if (size < minimumSize || reply.hasHeader('content-encoding')) return done(null, payload)
    const status = reply.statusCode
    if (status < 200 || status === 204 || status === 304) return done(null, payload)
    // The same URL answers differently by Accept-Encoding from here on: caches must key on it.
    const vary = reply.getHeader('vary')
    reply.header('vary', vary === undefined || vary === '' ? 'Accept-Encoding' : `${String(vary)}, Accept-Encoding`)
    const header = request.headers['accept-encoding']
    const coding = chooseCoding(Array.isArray(header) ? header.join(',') : header)
    if (coding === undefined) return done(null, payload)
    ;(coding === 'gzip' ? gzip : deflate)(payload).then(
      (compressed) => {
        reply.header('content-encoding', coding)
        done(null, compressed)
      },
      (error: Error) => {
        logger.warn(`${request.method} ${request.url}: the answer could not be compressed (${error.message}); sent uncompressed`)
        done(null, payload)
      },
    )
  })
}
