/**
 * The per-model operations (metadata, ready, infer and its alias generate, infer_stream and its alias generate_stream)
 * under one base path: `/v2/models/{name}` and its versioned form
 * in the data plane's document, or one model's own paths in its per-model document.
 */
import {
  errorResponses,
  INFER_ERRORS,
  jsonRequestBody,
  jsonResponse,
  SERVING_ERRORS,
  type OpenApiParameter,
  type OpenApiPathItem,
} from './openapi.js'
import {ref, type JsonSchema} from './schema-components.js'

export interface ModelPathsOptions {
  /** `/v2/models/{name}`, `/v2/models/{name}/versions/{version}`, or a model's own path. */
  readonly base: string
  readonly parameters: readonly OpenApiParameter[]
  /** Prefix of the operation ids, so the unversioned and versioned paths stay distinct. */
  readonly idPrefix: string
  readonly tag: string
  readonly inferRequest: JsonSchema
  readonly inferExample: unknown
  /** Said after "infer" in the infer operation's description: where a valid example comes from. */
  readonly inferNote: string
}

export function modelPaths(options: ModelPathsOptions): Record<string, OpenApiPathItem> {
  const {base, idPrefix, tag} = options
  const parameters = options.parameters.length > 0 ? {parameters: [...options.parameters]} : {}
  return {
    [base]: {
      get: {
        operationId: `${idPrefix}Metadata`,
        tags: [tag],
        summary: 'Model metadata',
        description: 'The model\'s platform, versions, inputs and outputs; `-1` in a shape marks a variable dimension.',
        ...parameters,
        responses: {'200': jsonResponse('The model\'s metadata.', ref('ModelMetadata')), ...errorResponses(SERVING_ERRORS)},
      },
    },
    [`${base}/ready`]: {
      get: {
        operationId: `${idPrefix}Ready`,
        tags: [tag],
        summary: 'Model ready',
        ...parameters,
        responses: {
          '200': jsonResponse('The model is READY.', ref('ModelReady')),
          '400': jsonResponse('The model is not READY (loading, unloading, unloaded or failed), or no such model or version exists (as Triton).', ref('ModelReady')),
          ...errorResponses([]),
        },
      },
    },
    [`${base}/infer`]: {
      post: {
        operationId: `${idPrefix}Infer`,
        tags: [tag],
        summary: 'Inference',
        description: `Runs one V2 inference request. Every request is validated against the model's declared inputs before the runtime sees it. ${options.inferNote}`,
        ...parameters,
        requestBody: jsonRequestBody(options.inferRequest, options.inferExample, true),
        responses: {'200': jsonResponse('The V2 inference response.', ref('InferenceResponse')), ...errorResponses(INFER_ERRORS)},
      },
    },
    [`${base}/generate`]: {
      post: {
        operationId: `${idPrefix}Generate`,
        tags: [tag],
        summary: 'Inference (generate: an alias of infer)',
        description: `MLServer's name for infer, for generative models: the same request, the same answer. ${options.inferNote}`,
        ...parameters,
        requestBody: jsonRequestBody(options.inferRequest, options.inferExample, true),
        responses: {'200': jsonResponse('The V2 inference response.', ref('InferenceResponse')), ...errorResponses(INFER_ERRORS)},
      },
    },
    [`${base}/infer_stream`]: streamOperation(options, `${idPrefix}InferStream`, 'Streaming inference (Server-Sent Events)', parameters),
    [`${base}/generate_stream`]: streamOperation(options, `${idPrefix}GenerateStream`, 'Streaming inference (generate_stream: an alias of infer_stream)', parameters),
  }
}

/** What an infer_stream answer looks like on the wire (two results of a model that streams). */
const STREAM_EXAMPLE =
  'data: {"model_name":"m","id":"1","outputs":[{"name":"token","shape":[1],"datatype":"BYTES","data":["Hello"]}]}\n\n' +
  'data: {"model_name":"m","id":"1","outputs":[{"name":"token","shape":[1],"datatype":"BYTES","data":[" world"]}]}\n\n'

function streamOperation(options: ModelPathsOptions, operationId: string, summary: string, parameters: {parameters?: OpenApiParameter[]}): OpenApiPathItem {
  return {
    post: {
      operationId,
      tags: [options.tag],
      summary,
      description:
        'One V2 inference request, validated as for infer; the answer is `text/event-stream`: one `data: <inference response JSON>` event per ' +
        "result of the model's custom runtime `predictStream`, sent as it is produced (one event for any other model). An error before the " +
        'first event is an ordinary error answer (below); one after it is an `event: error` whose data is the error body, and the stream ' +
        `ends. Events always carry JSON tensor data; the stream is never compressed. ${options.inferNote}`,
      ...parameters,
      requestBody: jsonRequestBody(options.inferRequest, options.inferExample, true),
      responses: {
        '200': {description: 'The answers, as Server-Sent Events.', content: {'text/event-stream': {schema: {type: 'string'}, example: STREAM_EXAMPLE}}},
        ...errorResponses(INFER_ERRORS),
      },
    },
  }
}
