/**
 * CORS on the REST port, off unless settings.json has `cors_settings` (as MLServer, which adds Starlette's
 * CORSMiddleware then). The fields, defaults and answers are MLServer's / Starlette's: a preflight (OPTIONS with
 * Access-Control-Request-Method) from an allowed origin, for an allowed method and headers, is answered 200 here;
 * otherwise 400 `Disallowed CORS origin, method, headers` (what failed). Other requests from an allowed origin get
 * Access-Control-Allow-Origin on their answer, whatever it is.
 */
import type {FastifyInstance} from 'fastify'
import type {ServerSettings} from '../../settings/server-settings.js'

export type CorsSettings = NonNullable<ServerSettings['cors_settings']>

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']
/** Request headers a browser may always send (Starlette's list). */
const SAFELISTED_HEADERS = ['accept', 'accept-language', 'content-language', 'content-type']

/** MLServer's CORSSettings defaults. */
export const CORS_DEFAULTS = {allow_origins: [], allow_origin_regex: null, allow_credentials: false, allow_methods: ['GET'], allow_headers: [], expose_headers: [], max_age: 600}

/** The policy, resolved once from the settings. */
export function corsPolicy(settings: CorsSettings) {
  const s = {...CORS_DEFAULTS, ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined))} as Required<CorsSettings>
  const allowAllOrigins = s.allow_origins.includes('*')
  const allowAllHeaders = s.allow_headers.includes('*')
  const methods = s.allow_methods.includes('*') ? ALL_METHODS : s.allow_methods.map((m) => m.toUpperCase())
  const headers = [...new Set([...SAFELISTED_HEADERS, ...s.allow_headers.map((h) => h.toLowerCase())])].sort()
  const regex = s.allow_origin_regex === null ? undefined : new RegExp(`^(?:${s.allow_origin_regex})$`)
  const explicitOrigin = !allowAllOrigins || s.allow_credentials

  const originAllowed = (origin: string) => allowAllOrigins || s.allow_origins.includes(origin) || (regex?.test(origin) ?? false)

  /** Headers every answer to a cross-origin request carries. */
  const simple: Record<string, string> = {}
  if (allowAllOrigins) simple['access-control-allow-origin'] = '*'
  if (s.allow_credentials) simple['access-control-allow-credentials'] = 'true'
  if (s.expose_headers.length > 0) simple['access-control-expose-headers'] = s.expose_headers.join(', ')

  return {
    /** The preflight answer: status, headers and text. */
    preflight(origin: string, method: string, requestedHeaders: string | undefined): {status: number; headers: Record<string, string>; text: string} {
      const out: Record<string, string> = {
        'access-control-allow-methods': methods.join(', '),
        'access-control-max-age': String(s.max_age),
      }
      if (explicitOrigin) out.vary = 'Origin'
      else out['access-control-allow-origin'] = '*'
      if (s.allow_credentials) out['access-control-allow-credentials'] = 'true'
      if (s.allow_headers.length > 0 && !allowAllHeaders) out['access-control-allow-headers'] = headers.join(', ')
      const failures: string[] = []
      if (originAllowed(origin)) {
        if (explicitOrigin) out['access-control-allow-origin'] = origin
      } else {
        failures.push('origin')
      }
      if (!methods.includes(method.toUpperCase())) failures.push('method')
      if (allowAllHeaders && requestedHeaders !== undefined && requestedHeaders !== '') {
        out['access-control-allow-headers'] = requestedHeaders
      } else if (requestedHeaders !== undefined && requestedHeaders !== '') {
        const asked = requestedHeaders.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '')
        if (asked.some((h) => !headers.includes(h))) failures.push('headers')
      }
      if (failures.length > 0) return {status: 400, headers: out, text: `Disallowed CORS ${failures.join(', ')}`}
      return {status: 200, headers: out, text: 'OK'}
    },
    /** Headers for the answer to a (non-preflight) request from `origin`. */
    response(origin: string, hasCookie: boolean): Record<string, string> {
      const out = {...simple}
      if (allowAllOrigins && hasCookie) {
        out['access-control-allow-origin'] = origin
        out.vary = 'Origin'
      } else if (!allowAllOrigins && originAllowed(origin)) {
        out['access-control-allow-origin'] = origin
        out.vary = 'Origin'
      }
      return out
    },
  }
}

/** One onRequest hook: preflights are answered here, other cross-origin requests get their headers set. */
export function registerCors(app: FastifyInstance, settings: CorsSettings): void {
  const policy = corsPolicy(settings)
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin
    if (origin === undefined) return done()
    const method = request.headers['access-control-request-method']
    if (request.method === 'OPTIONS' && typeof method === 'string') {
      const answer = policy.preflight(origin, method, request.headers['access-control-request-headers'])
      void reply.code(answer.status).headers(answer.headers).type('text/plain; charset=utf-8').send(answer.text)
      return
    }
    reply.headers(policy.response(origin, request.headers.cookie !== undefined))
    done()
  })
}
