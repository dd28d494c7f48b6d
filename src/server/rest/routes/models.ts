/**
 * Per-model endpoints, each with and without /versions/{version}: metadata, ready, infer, infer_stream, and MLServer's
 * aliases generate (infer) and generate_stream (infer_stream).
 */
import type {FastifyInstance, FastifyReply, FastifyRequest} from 'fastify'
import type {DataPlane} from '../../../dataplane/dataplane.js'
import type {Logger} from '../../../logger.js'
import {connectionWatch} from '../connection-watch.js'
import {sendEventStream} from '../event-stream.js'
import type {RestDrain} from '../drain.js'
import {encodeRestResponse} from '../binary-response.js'
import {BINARY_CONTENT_TYPE, HEADER_LENGTH} from '../../../protocol/binary-extension.js'
import type {InferenceTracer} from '../../../tracing/inference-trace.js'
import {tracedInfer} from '../traced-infer.js'

interface ModelParams {
  name: string
  version?: string
}

type Handler = (request: FastifyRequest<{Params: ModelParams}>, reply: FastifyReply) => Promise<unknown>

function both(app: FastifyInstance, method: 'GET' | 'POST', suffix: string, handler: Handler): void {
  app.route<{Params: ModelParams}>({method, url: `/v2/models/:name${suffix}`, handler})
  app.route<{Params: ModelParams}>({method, url: `/v2/models/:name/versions/:version${suffix}`, handler})
}

/**
 * `drain`: the graceful stop's REST side; a request it took before the stop finishes during it. `tracer`: tracing,
 * when configured (traced-infer.ts); without it, inference pays nothing for it.
 */
export function modelRoutes(app: FastifyInstance, dataplane: DataPlane, drain?: RestDrain, logger?: Logger, tracer?: InferenceTracer): void {
  both(app, 'GET', '', async (request) => dataplane.modelMetadata(request.params.name, request.params.version))

  both(app, 'GET', '/ready', async (request, reply) => {
    const {name, version} = request.params
    const ready = dataplane.modelReady(name, version)
    return reply.code(ready ? 200 : 400).send({name, ...(version ? {version} : {}), ready})
  })

  const infer: Handler = async (request, reply) => {
    if (tracer !== undefined) return tracedInfer(tracer, dataplane, request, reply, {watchClient: connectionWatch(reply), takenBeforeStop: drain?.taken(reply.raw) === true})
    const result = await dataplane.infer(request.params.name, request.params.version, request.body, {watchClient: connectionWatch(reply), takenBeforeStop: drain?.taken(reply.raw) === true})
    const encoded = encodeRestResponse(result, request.body)
    if (encoded.kind === 'json') return encoded.body
    return reply.type(BINARY_CONTENT_TYPE).header(HEADER_LENGTH, encoded.headerLength).send(encoded.body)
  }
  const inferStream: Handler = async (request, reply) => {
    const options = {watchClient: connectionWatch(reply), takenBeforeStop: drain?.taken(reply.raw) === true}
    return sendEventStream(reply, dataplane.inferAsStream(request.params.name, request.params.version, request.body, options), logger)
  }
  both(app, 'POST', '/infer', infer)
  both(app, 'POST', '/generate', infer)
  both(app, 'POST', '/infer_stream', inferStream)
  both(app, 'POST', '/generate_stream', inferStream)
}
