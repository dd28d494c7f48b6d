/** model-settings.json: MLServer's field names and defaults. */
import {z} from 'zod'
import {DATATYPE_NAMES} from '../protocol/datatypes.js'
import {byteSize} from '../memory/byte-size.js'
import {lenientBoolean, lenientInt, lenientNumber} from './coerce.js'

export const tensorMetadataSchema = z.object({
  name: z.string().min(1),
  datatype: z.enum(DATATYPE_NAMES),
  shape: z.array(z.int().min(-1)),
  parameters: z.record(z.string(), z.unknown()).optional(),
})

export const modelParametersSchema = z.object({
  uri: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  format: z.string().optional(),
  content_type: z.string().optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
  /** Class labels for the classification extension: an array, or a file in the model's folder, one label per line. */
  labels: z.union([z.array(z.string()), z.string().min(1)]).optional(),
})

export const MODEL_PARAMETER_KEYS = Object.keys(modelParametersSchema.shape)
export const IGNORED_MODEL_PARAMETER_KEYS = ['environment_tarball', 'environment_path', 'autogenerate_inputs'] as const

export const modelSettingsSchema = z.object({
  name: z.string().min(1).optional(),
  implementation: z.string().min(1).optional(),
  platform: z.string().default(''),
  versions: z.array(z.string()).default([]),
  inputs: z.array(tensorMetadataSchema).default([]),
  outputs: z.array(tensorMetadataSchema).default([]),
  max_batch_size: lenientInt(0).default(0),
  max_batch_time: lenientNumber(0).default(0),
  /** Worker threads for this model; null or absent: the server's parallel_workers. (Deprecated in MLServer; used here.) */
  parallel_workers: lenientInt(0, 256).nullable().optional(),
  /** Requests admitted and not answered yet; null or absent: the server's max_queue_size. */
  max_queue_size: lenientInt(0).nullable().optional(),
  /** Seconds from admission to answer; null or absent: the server's infer_timeout. */
  infer_timeout: lenientNumber(0).nullable().optional(),
  /** With a memory_budget: loaded at start-up and never evicted. */
  pinned: lenientBoolean().optional(),
  /** With a memory_budget: this version's memory as stated (bytes or "12MiB"); wins over the measured size. */
  memory: byteSize(1).nullable().optional(),
  parameters: modelParametersSchema.optional(),
})

export const MODEL_SETTINGS_KEYS = Object.keys(modelSettingsSchema.shape)
export const IGNORED_MODEL_KEYS = ['warm_workers', 'cache_enabled'] as const

// warm_workers is deprecated in MLServer; it is read (so a wrong type is still reported) and unused.
export const ignoredModelFieldsSchema = z.object({
  warm_workers: lenientBoolean().optional(),
  cache_enabled: lenientBoolean().optional(),
})

export type TensorMetadataSettings = z.infer<typeof tensorMetadataSchema>

/** A parsed model-settings.json, with `name` resolved and `uri` made absolute. */
export interface ModelSettings {
  readonly name: string
  readonly implementation?: string
  readonly platform: string
  readonly versions: readonly string[]
  readonly inputs: readonly TensorMetadataSettings[]
  readonly outputs: readonly TensorMetadataSettings[]
  readonly maxBatchSize: number
  readonly maxBatchTime: number
  /** Worker threads serving this model; undefined: the server's `parallel_workers`. */
  readonly parallelWorkers?: number
  /** Bound on requests admitted and not answered (0: none); undefined: the server's `max_queue_size`. */
  readonly maxQueueSize?: number
  /** Seconds from admission to answer (0: no limit); undefined: the server's `infer_timeout`. */
  readonly inferTimeout?: number
  /** With a memory_budget: loaded at start-up, never evicted. */
  readonly pinned?: boolean
  /** With a memory_budget: the stated size in bytes (model-settings `memory`), which wins over the measured one. */
  readonly memoryBytes?: number
  readonly version?: string
  /** Absolute path of the model artifact, when `parameters.uri` is given. */
  readonly uri?: string
  readonly format?: string
  readonly contentType?: string
  readonly extra: Readonly<Record<string, unknown>>
  /** Class labels (`parameters.labels`, a file read already): index i names class i in "score:index:label". */
  readonly labels?: readonly string[]
  /** The model-settings.json this came from. */
  readonly source: string
  /** The folder of that file: the model's own folder. */
  readonly folder: string
}
