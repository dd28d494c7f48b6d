/**
 * Triton's model configuration extension: a model version described as Triton's ModelConfig (model_config.proto),
 * derived from what mls knows of it: its metadata (platform, inputs, outputs) and its model-settings.json (adaptive
 * batching). Fields mls has no counterpart for (instance groups, optimization, version policy...) are left out, not
 * invented.
 *
 * Batching follows Triton's meaning: with adaptive batching on, max_batch_size is the model's and each tensor's dims
 * leave out the first (batch) dimension, which the requests join along; with it off, max_batch_size is 0 and dims are
 * the whole shape (-1 for a variable dimension).
 */
import type {Datatype} from '../protocol/datatypes.js'
import type {TensorMetadata} from '../protocol/types.js'
import type {LoadedModel} from '../repository/loaded-model.js'

/** Triton's DataType enum names (BYTES is TYPE_STRING there). */
export const DATA_TYPES: Readonly<Record<Datatype, string>> = {
  BOOL: 'TYPE_BOOL',
  UINT8: 'TYPE_UINT8',
  UINT16: 'TYPE_UINT16',
  UINT32: 'TYPE_UINT32',
  UINT64: 'TYPE_UINT64',
  INT8: 'TYPE_INT8',
  INT16: 'TYPE_INT16',
  INT32: 'TYPE_INT32',
  INT64: 'TYPE_INT64',
  FP16: 'TYPE_FP16',
  FP32: 'TYPE_FP32',
  FP64: 'TYPE_FP64',
  BYTES: 'TYPE_STRING',
}

/** Triton's backend name where it has one for the same runtime; otherwise mls's runtime name. */
const BACKENDS: Readonly<Record<string, string>> = {onnx: 'onnxruntime'}

export interface ModelConfigTensor {
  name: string
  data_type: string
  dims: number[]
}

/** The part of Triton's ModelConfig that mls fills (its JSON form, as Triton's REST answer and gRPC's message). */
export interface ModelConfig {
  name: string
  platform: string
  backend: string
  max_batch_size: number
  input: ModelConfigTensor[]
  output: ModelConfigTensor[]
  dynamic_batching?: {max_queue_delay_microseconds: number}
}

/** Whether `instance` runs with adaptive batching (model-settings.json: max_batch_size > 1 and max_batch_time > 0). */
export function batches(instance: Pick<LoadedModel, 'settings'>): boolean {
  return instance.settings.maxBatchSize > 1 && instance.settings.maxBatchTime > 0
}

/** The configuration of `instance`, a loaded version of model `name`; `runtime` is its runtime's name (onnx, xgboost...). */
export function modelConfig(name: string, instance: Pick<LoadedModel, 'settings' | 'metadata'>, runtime: string): ModelConfig {
  const batching = batches(instance)
  const tensor = (t: TensorMetadata): ModelConfigTensor => ({
    name: t.name,
    data_type: DATA_TYPES[t.datatype] ?? 'TYPE_INVALID',
    dims: batching && t.shape.length > 0 ? t.shape.slice(1) : [...t.shape],
  })
  const config: ModelConfig = {
    name,
    platform: instance.metadata.platform,
    backend: BACKENDS[runtime] ?? runtime,
    max_batch_size: batching ? instance.settings.maxBatchSize : 0,
    input: instance.metadata.inputs.map(tensor),
    output: instance.metadata.outputs.map(tensor),
  }
  if (batching) config.dynamic_batching = {max_queue_delay_microseconds: Math.round(instance.settings.maxBatchTime * 1e6)}
  return config
}
