/**
 * Triton's statistics and model configuration extensions in the data plane's document: `GET /v2/models/stats`, and
 * `stats` and `config` under `/v2/models/{name}` and its versioned form (src/server/rest/routes/model-extensions.ts).
 */
import {errorResponses, jsonResponse, LOOKUP_ERRORS, SERVING_ERRORS, type OpenApiParameter, type OpenApiPathItem} from './openapi.js'
import {ref} from './schema-components.js'

export const EXTENSIONS_TAG = 'extensions'

const STATS_NOTE = 'Read from the counters: a version not in memory answers without being loaded. With `--processes N`, the sums over every process.'

/** `GET /v2/models/stats`: every version of every model in the repository. */
export function allStatisticsPath(): Record<string, OpenApiPathItem> {
  return {
    '/v2/models/stats': {
      get: {
        operationId: 'modelsStatistics',
        tags: [EXTENSIONS_TAG],
        summary: 'Statistics of every model',
        description: `Triton's statistics extension: one entry per version of every model in the repository, by name and version. ${STATS_NOTE}`,
        responses: {'200': jsonResponse('`{"model_stats": [...]}`.', ref('ModelStatistics')), ...errorResponses([])},
      },
    },
  }
}

export interface ModelExtensionPathsOptions {
  /** `/v2/models/{name}` or `/v2/models/{name}/versions/{version}`. */
  readonly base: string
  readonly parameters: readonly OpenApiParameter[]
  /** Prefix of the operation ids, so the unversioned and versioned paths stay distinct. */
  readonly idPrefix: string
  /** Whether `base` names a version. */
  readonly versioned: boolean
}

/** `GET {base}/stats` and `GET {base}/config`. */
export function modelExtensionPaths(options: ModelExtensionPathsOptions): Record<string, OpenApiPathItem> {
  const {base, idPrefix, versioned} = options
  const parameters = [...options.parameters]
  return {
    [`${base}/stats`]: {
      get: {
        operationId: `${idPrefix}Statistics`,
        tags: [EXTENSIONS_TAG],
        summary: versioned ? 'Statistics of one model version' : 'Statistics of every version of a model',
        description: `Triton's statistics extension${versioned ? '' : ': one entry per version of the model'}. ${STATS_NOTE}`,
        parameters,
        responses: {'200': jsonResponse('`{"model_stats": [...]}`.', ref('ModelStatistics')), ...errorResponses(LOOKUP_ERRORS)},
      },
    },
    [`${base}/config`]: {
      get: {
        operationId: `${idPrefix}Config`,
        tags: [EXTENSIONS_TAG],
        summary: versioned ? 'Configuration of one model version' : 'Model configuration (default version)',
        description:
          'Triton\'s model configuration extension: the configuration JSON itself (as tritonclient\'s `get_model_config` returns it), built from the model\'s metadata and model-settings.json. Answers as the metadata would: a version not in memory is loaded first.',
        parameters,
        responses: {'200': jsonResponse('Triton\'s model configuration.', ref('ModelConfig')), ...errorResponses(SERVING_ERRORS)},
      },
    },
  }
}
