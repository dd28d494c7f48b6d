/** Health and server metadata: GET /v2/health/live, /v2/health/ready, /v2. */
import type {FastifyInstance} from 'fastify'
import type {DataPlane} from '../../../dataplane/dataplane.js'

export function healthRoutes(app: FastifyInstance, dataplane: DataPlane): void {
  app.get('/v2/health/live', async () => ({live: dataplane.live()}))
  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = dataplane.ready()
    return reply.code(ready ? 200 : 503).send({ready})
  })
  app.get('/v2', async () => dataplane.serverMetadata())
}
