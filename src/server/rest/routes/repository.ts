/** The model repository extension: index, load, unload. */
import type {FastifyInstance} from 'fastify'
import type {DataPlane} from '../../../dataplane/dataplane.js'

export function repositoryRoutes(app: FastifyInstance, dataplane: DataPlane): void {
  app.post('/v2/repository/index', async (request) => dataplane.repositoryIndex(request.body))

  app.post<{Params: {name: string}}>('/v2/repository/models/:name/load', async (request, reply) => {
    await dataplane.loadModel(request.params.name)
    return reply.code(200).send()
  })

  app.post<{Params: {name: string}}>('/v2/repository/models/:name/unload', async (request, reply) => {
    await dataplane.unloadModel(request.params.name)
    return reply.code(200).send()
  })
}
