/**
 * The per-model operations (metadata, ready, infer) under one base path: `/v2/models/{name}` and its versioned form
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
  }
}
