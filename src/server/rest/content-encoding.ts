/**
 * The Content-Encoding of a REST request body (RFC 9110 §8.4): `gzip` (or its old alias `x-gzip`), `deflate` (zlib
 * format, RFC 1950; a raw RFC 1951 stream is taken too, as some clients send it), or `identity` / none. tritonclient
 * sends gzip or deflate for `request_compression_algorithm`. Anything else, and a list of several codings, is 415
 * UNSUPPORTED_CONTENT_ENCODING, answered with an Accept-Encoding header listing what is decoded (RFC 9110 §15.5.16).
 */
import {MlsError} from '../../errors.js'

export type BodyEncoding = 'identity' | 'gzip' | 'deflate'

/** The codings a request body may have, as the 415's Accept-Encoding lists them. */
export const SUPPORTED_ENCODINGS = 'gzip, deflate, identity'

const CODINGS: Readonly<Record<string, BodyEncoding>> = {identity: 'identity', gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate'}

/** The body's coding from its Content-Encoding header; throws 415 UNSUPPORTED_CONTENT_ENCODING. */
export function bodyEncoding(header: string | string[] | undefined): BodyEncoding {
  if (header === undefined) return 'identity'
  const value = (Array.isArray(header) ? header.join(',') : header).trim().toLowerCase()
  if (value === '') return 'identity'
  const coding = Object.hasOwn(CODINGS, value) ? CODINGS[value] : undefined
  if (coding !== undefined) return coding
  const shown = JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value)
  const why = value.includes(',') ? `several codings (${shown}) are not decoded; send one` : `unsupported content encoding ${shown}`
  throw new MlsError('UNSUPPORTED_CONTENT_ENCODING', `${why}: a request body may be sent as ${SUPPORTED_ENCODINGS}`)
}
