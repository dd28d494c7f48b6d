/**
 * Body parsing: JSON for application/json, for no content type, and for curl's default form type (no V2 endpoint
 * takes a form, and `curl -d` must just work). A body with an Inference-Header-Content-Length header (any of those
 * types, or application/octet-stream) is the binary tensor data extension. Any other type is a 415, and so is a
 * charset other than UTF-8. An empty body parses as undefined, so each endpoint decides whether it needs one.
 * Bodies are read by body-reader.ts (limits applied as the bytes arrive), not by fastify's buffering; a body with
 * Content-Encoding gzip or deflate is inflated there first (Inference-Header-Content-Length counts in the inflated
 * body), any other coding is a 415 (content-encoding.ts).
 */
import type {Readable} from 'node:stream'
import type {FastifyInstance, FastifyRequest} from 'fastify'
import {MlsError} from '../../errors.js'
import {BINARY_CONTENT_TYPE, HEADER_LENGTH} from '../../protocol/binary-extension.js'
import {parseBinaryBody, parseHeaderLength} from './binary-body.js'
import {readBody, type BodyLimits} from './body-reader.js'
import {bodyEncoding, type BodyEncoding} from './content-encoding.js'
import {BodySilenceWatch} from './body-silence.js'
import {parseJsonBytes} from './json-text.js'
import {lingerAfterAnswer} from './lingering-close.js'

export const JSON_TYPES = ['application/json', 'application/x-www-form-urlencoded']

type Done = (error: Error | null, body?: unknown) => void

/** Refuses the request; when its body was not all received, its connection lingers before closing (lingering-close.ts). */
function refuse(request: FastifyRequest, done: Done, error: Error): void {
  if (!request.raw.complete) lingerAfterAnswer(request.raw)
  done(error)
}

/** The charset parameter of a content type, lower-cased and unquoted; undefined when there is none. */
const CHARSET = /;\s*charset\s*=\s*("([^"]*)"|[^;\s]*)/i

/**
 * JSON text is UTF-8 (RFC 8259 §8.1). "utf8" is accepted too: the WHATWG Encoding standard lists it as a label of
 * UTF-8, and clients send it. Any other charset would be decoded wrongly, silently: refused.
 */
function checkCharset(type: string | undefined): void {
  if (type === undefined) return
  const match = CHARSET.exec(type)
  if (match === null) return
  const charset = (match[2] ?? match[1]).toLowerCase()
  if (charset === 'utf-8' || charset === 'utf8') return
  throw new MlsError('UNSUPPORTED_MEDIA_TYPE', `unsupported charset "${charset}" in content type "${type}": request bodies must be UTF-8 (charset=utf-8, or no charset)`)
}

/** JSON, or the binary extension when the request says where its JSON header ends. */
function parseBody(request: FastifyRequest, payload: Readable, limits: BodyLimits, done: Done): void {
  const lengthHeader = request.headers[HEADER_LENGTH]
  let headerLength = Number.POSITIVE_INFINITY
  let encoding: BodyEncoding
  try {
    encoding = bodyEncoding(request.headers['content-encoding'])
    checkCharset(request.headers['content-type'])
    // Checked before the body is read: a bad header costs no body.
    if (typeof lengthHeader === 'string') headerLength = parseHeaderLength(lengthHeader)
  } catch (error) {
    refuse(request, done, error as Error)
    return
  }
  readBody(request, payload, limits, headerLength, (error, body) => {
    if (error !== null) {
      refuse(request, done, error)
      return
    }
    let parsed: unknown
    try {
      parsed = typeof lengthHeader === 'string' ? parseBinaryBody(body!, headerLength) : parseJsonBytes(body!)
    } catch (thrown) {
      done(thrown as Error)
      return
    }
    done(null, parsed)
  }, encoding)
}

export function registerBodyParsers(app: FastifyInstance, settings: BodyLimits): void {
  const limits: BodyLimits = settings.bodyTimeout > 0 ? {...settings, silence: new BodySilenceWatch(settings.bodyTimeout * 1000)} : settings
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(JSON_TYPES, (request, payload, done) => parseBody(request, payload, limits, done))
  app.addContentTypeParser(BINARY_CONTENT_TYPE, (request, payload, done) => {
    if (typeof request.headers[HEADER_LENGTH] !== 'string') {
      refuse(request, done, new MlsError('INVALID_REQUEST', `an ${BINARY_CONTENT_TYPE} body needs an Inference-Header-Content-Length header (the length of its JSON header)`))
      return
    }
    parseBody(request, payload, limits, done)
  })
  app.addContentTypeParser('*', (request, payload, done) => {
    const type = request.headers['content-type']
    if (type === undefined || type === '') {
      parseBody(request, payload, limits, done)
      return
    }
    refuse(request, done, new MlsError('UNSUPPORTED_MEDIA_TYPE', `unsupported content type "${type}"; send application/json (or ${BINARY_CONTENT_TYPE} with Inference-Header-Content-Length)`))
  })
}
