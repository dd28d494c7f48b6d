/**
 * POST .../infer with tracing configured: the same answer as the untraced route, inside a server span whose parent is
 * the client's `traceparent` header. The answer's JSON text is made here (not by fastify) to time its encoding and
 * count its bytes.
 */
import type {FastifyReply, FastifyRequest} from 'fastify'
import type {DataPlane, InferOptions} from '../../dataplane/dataplane.js'
import {BINARY_CONTENT_TYPE, HEADER_LENGTH} from '../../protocol/binary-extension.js'
import type {InferenceTracer} from '../../tracing/inference-trace.js'
import {encodeRestResponse} from './binary-response.js'
import {toHttpError} from './error-map.js'

/** The routes as MLServer's FastAPI declares them (http.route, and the span's name). */
const ROUTE = '/v2/models/{model_name}/infer'
const VERSION_ROUTE = '/v2/models/{model_name}/versions/{model_version}/infer'

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export async function tracedInfer(
  tracer: InferenceTracer,
  dataplane: DataPlane,
  request: FastifyRequest<{Params: {name: string; version?: string}}>,
  reply: FastifyReply,
  options: InferOptions,
): Promise<unknown> {
  const {name, version} = request.params
  const length = Number(request.headers['content-length'])
  const trace = tracer.begin(
    {transport: 'rest', route: version === undefined ? ROUTE : VERSION_ROUTE, path: request.url.split('?', 1)[0], requestBytes: Number.isFinite(length) ? length : undefined},
    header(request.headers.traceparent),
    header(request.headers.tracestate),
  )
  try {
    const result = await dataplane.infer(name, version, request.body, {...options, trace})
    const since = performance.now()
    const encoded = encodeRestResponse(result, request.body)
    if (encoded.kind === 'json') {
      const text = JSON.stringify(encoded.body)
      trace.encoded(since, Buffer.byteLength(text))
      trace.end(200)
      return reply.type('application/json; charset=utf-8').send(text)
    }
    trace.encoded(since, encoded.body.length)
    trace.end(200)
    return reply.type(BINARY_CONTENT_TYPE).header(HEADER_LENGTH, encoded.headerLength).send(encoded.body)
  } catch (thrown) {
    const {status, error} = toHttpError(thrown)
    trace.end(status, error)
    throw thrown
  }
}
