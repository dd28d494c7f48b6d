/** The model repository extension: index, load, unload; behind the bearer token when one is set. */
import type {FastifyInstance, onRequestHookHandler} from 'fastify'
import type {DataPlane} from '../../../dataplane/dataplane.js'
import type {Logger} from '../../../logger.js'
import {wwwAuthenticate, type RepositoryAuth} from '../../repository-auth.js'
import {toHttpError} from '../error-map.js'

/** 401 with `WWW-Authenticate: Bearer` unless the request carries the token. */
function requireToken(auth: RepositoryAuth, logger: Logger): onRequestHookHandler {
  return (request, reply, done) => {
    const refused = auth.check(request.headers.authorization)
    if (refused === undefined) return done()
    const {status, body} = toHttpError(refused.error)
    logger.debug(`${request.method} ${request.url}: ${status} ${body.code} (${refused.failure} token)`)
    void reply.code(status).header('www-authenticate', wwwAuthenticate(refused.failure)).send(body)
  }
}

export function repositoryRoutes(app: FastifyInstance, dataplane: DataPlane, options: {auth?: RepositoryAuth; logger: Logger}): void {
  const onRequest = options.auth === undefined ? undefined : requireToken(options.auth, options.logger)
  const guarded = onRequest === undefined ? {} : {onRequest}

  app.post('/v2/repository/index', guarded, async (request) => dataplane.serverIndex(request.body))

  app.post<{Params: {name: string}}>('/v2/repository/models/:name/load', guarded, async (request, reply) => {
    await dataplane.loadModel(request.params.name, (request.body as {parameters?: unknown} | undefined)?.parameters)
    return reply.code(200).send()
  })

  app.post<{Params: {name: string}}>('/v2/repository/models/:name/unload', guarded, async (request, reply) => {
    await dataplane.unloadModel(request.params.name)
    return reply.code(200).send()
  })
}
