/** Triton's statistics and model configuration extensions: GET .../stats and GET .../config. */
import type {FastifyInstance} from 'fastify'
import type {DataPlane} from '../../../dataplane/dataplane.js'

interface ModelParams {
  name: string
  version?: string
}

export function modelExtensionRoutes(app: FastifyInstance, dataplane: DataPlane): void {
  // Every version of every model; a static route, so it wins over /v2/models/:name (as on Triton).
  app.get('/v2/models/stats', async () => dataplane.modelStatistics())
  for (const url of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    // Without a version: every version of the model (Triton's); with one, that version.
    app.get<{Params: ModelParams}>(`${url}/stats`, async (request) => dataplane.modelStatistics(request.params.name, request.params.version))
    // The configuration JSON itself, as Triton answers it (tritonclient's get_model_config returns the body).
    app.get<{Params: ModelParams}>(`${url}/config`, async (request) => dataplane.modelConfig(request.params.name, request.params.version))
  }
}
