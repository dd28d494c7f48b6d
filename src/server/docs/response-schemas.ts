/**
 * zod schemas of what the REST endpoints answer. They validate nothing at run time: they are the source of the
 * OpenAPI document's response schemas, and the tests check the running server's answers against them.
 */
import {z} from 'zod'
import {ERROR_CODES, type ErrorCode} from '../../errors.js'
import {DATATYPE_NAMES} from '../../protocol/datatypes.js'
import type {ModelMetadata, RepositoryIndexItem, ServerMetadata} from '../../protocol/types.js'
import {DATA_TYPES, type ModelConfig} from '../../dataplane/model-config.js'
import type {VersionStats} from '../../dataplane/statistics.js'

const parameters = z.record(z.string(), z.unknown()).meta({description: 'Free-form parameters (string, number or bool values).'})
const datatype = z.enum(DATATYPE_NAMES)

/** Every stable error code, in catalogue order. */
export const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]

/** Every failure: a message naming the field, what was expected and what was found, and a stable code. */
export const errorResponseSchema = z.object({
  error: z.string().meta({description: 'What went wrong, naming the field, what was expected and what was found.'}),
  code: z.enum(ERROR_CODE_NAMES).meta({description: 'A stable error code (see the "Errors" table of docs/api.md).'}),
})

export const liveResponseSchema = z.object({live: z.boolean()})

export const serverReadyResponseSchema = z.object({ready: z.boolean()})

export const serverMetadataSchema = z.object({
  name: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
}) satisfies z.ZodType<ServerMetadata>

export const tensorMetadataSchema = z.object({
  name: z.string(),
  datatype,
  shape: z.array(z.int().min(-1)).meta({description: '-1 marks a variable dimension.'}),
  parameters: parameters.optional(),
})

export const modelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.string(),
  inputs: z.array(tensorMetadataSchema),
  outputs: z.array(tensorMetadataSchema),
  parameters: parameters.optional(),
}) satisfies z.ZodType<ModelMetadata>

export const modelReadyResponseSchema = z.object({
  name: z.string(),
  version: z.string().optional().meta({description: 'Present when the request named a version.'}),
  ready: z.boolean(),
})

export const responseOutputSchema = z.object({
  name: z.string(),
  shape: z.array(z.int().min(0)),
  datatype,
  parameters: parameters.optional(),
  data: z
    .array(z.union([z.number(), z.boolean(), z.string(), z.null()]))
    .meta({description: 'The values, flat and row-major; `null` is NaN in a float output.'}),
})

export const inferenceResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().meta({description: 'The request\'s id, or a generated UUID.'}),
  parameters: parameters.optional(),
  outputs: z.array(responseOutputSchema),
})

export const repositoryIndexItemSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
  state: z.enum(['UNKNOWN', 'READY', 'UNAVAILABLE', 'LOADING', 'UNLOADING', 'NOT_LOADED']),
  reason: z.string().meta({description: 'Why the model is in this state: `unloaded`, or the load error; empty when READY.'}),
  memory_bytes: z.number().optional().meta({description: 'With a memory_budget: the memory the budget counts for this version.'}),
  memory_source: z.enum(['measured', 'stated', 'estimated']).optional().meta({description: 'Where memory_bytes comes from.'}),
  pinned: z.boolean().optional().meta({description: 'With a memory_budget: pinned in memory (never evicted).'}),
  last_used: z.string().optional().meta({description: 'With a memory_budget: when the version last served a request, ISO 8601.'}),
}) satisfies z.ZodType<RepositoryIndexItem>

export const repositoryIndexResponseSchema = z.array(repositoryIndexItemSchema)

const count = z.int().min(0)

/** Triton's `$duration_stat`. */
export const durationStatSchema = z.object({
  count,
  ns: count.meta({description: 'The cumulative duration, in nanoseconds.'}),
})

/** Triton's `$model_stat`: one version's counters (src/dataplane/statistics.ts). */
export const modelVersionStatsSchema = z.object({
  name: z.string(),
  version: z.string().optional().meta({description: 'Absent for an unversioned model.'}),
  last_inference: count.meta({description: 'When the version last answered a request, in milliseconds since the epoch; 0 if never.'}),
  inference_count: count.meta({description: 'Inferences answered (rows, for a model with adaptive batching).'}),
  execution_count: count.meta({description: 'Model executions (runtime calls).'}),
  inference_stats: z
    .object({
      success: durationStatSchema,
      fail: durationStatSchema,
      queue: durationStatSchema,
      compute_input: durationStatSchema,
      compute_infer: durationStatSchema,
      compute_output: durationStatSchema,
      cache_hit: durationStatSchema,
      cache_miss: durationStatSchema,
    })
    .meta({description: 'Counts and cumulative durations per phase (see "Statistics and model configuration" in docs/api.md); cache_hit and cache_miss count the response cache\'s hits and misses (zero for a model that has not opted in).'}),
  batch_stats: z
    .array(z.object({batch_size: count, compute_input: durationStatSchema, compute_infer: durationStatSchema, compute_output: durationStatSchema}))
    .meta({description: 'Model executions by batch size (adaptive batching); empty otherwise.'}),
}) satisfies z.ZodType<VersionStats>

export const modelStatisticsResponseSchema = z.object({model_stats: z.array(modelVersionStatsSchema)})

const configTensor = z.object({
  name: z.string(),
  data_type: z.enum(Object.values(DATA_TYPES) as [string, ...string[]]).meta({description: 'Triton\'s DataType name (`TYPE_STRING` is BYTES).'}),
  dims: z.array(z.int().min(-1)).meta({description: 'Without the batch dimension when max_batch_size > 0; -1 marks a variable dimension.'}),
})

/** The part of Triton's ModelConfig that mls fills (src/dataplane/model-config.ts). */
export const modelConfigSchema = z.object({
  name: z.string(),
  platform: z.string(),
  backend: z.string(),
  max_batch_size: count.meta({description: 'The adaptive batch size; 0 without adaptive batching.'}),
  input: z.array(configTensor),
  output: z.array(configTensor),
  dynamic_batching: z.object({max_queue_delay_microseconds: count}).optional().meta({description: 'Present with adaptive batching (max_batch_time).'}),
}) satisfies z.ZodType<ModelConfig>

/** The docs' own JSON answer: just enough to say it is an OpenAPI 3.1 document. */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({title: z.string(), version: z.string()}),
  paths: z.record(z.string(), z.unknown()),
})

/** Every response schema under its component name. */
export const RESPONSE_SCHEMAS = {
  Error: errorResponseSchema,
  Live: liveResponseSchema,
  ServerReady: serverReadyResponseSchema,
  ServerMetadata: serverMetadataSchema,
  TensorMetadata: tensorMetadataSchema,
  ModelMetadata: modelMetadataSchema,
  ModelReady: modelReadyResponseSchema,
  ResponseOutput: responseOutputSchema,
  InferenceResponse: inferenceResponseSchema,
  RepositoryIndexItem: repositoryIndexItemSchema,
  RepositoryIndex: repositoryIndexResponseSchema,
  OpenApiDocument: openApiDocumentSchema,
  DurationStat: durationStatSchema,
  ModelVersionStatistics: modelVersionStatsSchema,
  ModelStatistics: modelStatisticsResponseSchema,
  ModelConfig: modelConfigSchema,
} as const satisfies Record<string, z.ZodType>
