/**
 * Body parsing: JSON for application/json, for no content type, and for curl's default form type (no V2 endpoint
 * takes a form, and `curl -d` must just work). Any other type is a 415. An empty body parses as undefined, so each
 * endpoint decides whether it needs one.
 */
import type {FastifyInstance} from 'fastify'
import {MlsError} from '../../errors.js'

export const JSON_TYPES = ['application/json', 'application/x-www-form-urlencoded']

export function parseJsonText(text: string): unknown {
  if (text.length === 0 || text.trim().length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new MlsError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`)
  }
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(JSON_TYPES, {parseAs: 'string'}, (_request, body, done) => {
    try {
      done(null, parseJsonText(body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
  app.addContentTypeParser('*', {parseAs: 'string'}, (request, body, done) => {
    const type = request.headers['content-type']
    if (type === undefined || type === '') {
      try {
        done(null, parseJsonText(body as string))
      } catch (error) {
        done(error as Error, undefined)
      }
      return
    }
    done(new MlsError('UNSUPPORTED_MEDIA_TYPE', `unsupported content type "${type}"; send application/json`), undefined)
  })
}
