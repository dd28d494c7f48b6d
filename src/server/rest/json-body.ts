/**
 * Body parsing: JSON for application/json, for no content type, and for curl's default form type (no V2 endpoint
 * takes a form, and `curl -d` must just work). A body with an Inference-Header-Content-Length header (any of those
 * types, or application/octet-stream) is the binary tensor data extension. Any other type is a 415. An empty body
 * parses as undefined, so each endpoint decides whether it needs one.
 */
import type {FastifyInstance, FastifyRequest} from 'fastify'
import {MlsError} from '../../errors.js'
import {BINARY_CONTENT_TYPE, HEADER_LENGTH} from '../../protocol/binary-extension.js'
import {parseBinaryBody} from './binary-body.js'
import {parseJsonText} from './json-text.js'

export const JSON_TYPES = ['application/json', 'application/x-www-form-urlencoded']

/** JSON, or the binary extension when the request says where its JSON header ends. */
function parseBody(request: FastifyRequest, body: Buffer): unknown {
  const headerLength = request.headers[HEADER_LENGTH]
  if (typeof headerLength === 'string') return parseBinaryBody(body, headerLength)
  return parseJsonText(body.toString('utf8'))
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(JSON_TYPES, {parseAs: 'buffer'}, (request, body, done) => {
    try {
      done(null, parseBody(request, body as Buffer))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
  app.addContentTypeParser(BINARY_CONTENT_TYPE, {parseAs: 'buffer'}, (request, body, done) => {
    if (typeof request.headers[HEADER_LENGTH] !== 'string') {
      done(new MlsError('INVALID_REQUEST', `an ${BINARY_CONTENT_TYPE} body needs an Inference-Header-Content-Length header (the length of its JSON header)`), undefined)
      return
    }
    try {
      done(null, parseBody(request, body as Buffer))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
  app.addContentTypeParser('*', {parseAs: 'buffer'}, (request, body, done) => {
    const type = request.headers['content-type']
    if (type === undefined || type === '') {
      try {
        done(null, parseBody(request, body as Buffer))
      } catch (error) {
        done(error as Error, undefined)
      }
      return
    }
    done(new MlsError('UNSUPPORTED_MEDIA_TYPE', `unsupported content type "${type}"; send application/json (or ${BINARY_CONTENT_TYPE} with Inference-Header-Content-Length)`), undefined)
  })
}
