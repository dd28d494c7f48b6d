/**
 * mls's public API: what a runtime author imports from "mls-server" (the npm package; the command is `mls`). The
 * runtime contract and its base class, the Open Inference Protocol (V2) types, the content types (codecs) and the error
 * a runtime throws to refuse a request. Everything else in the package is internal and may change without notice.
 *
 *     import {BaseRuntime, Table, type InferRequest, type InferResult} from 'mls-server'
 *
 *     export default class Doubler extends BaseRuntime {
 *       async predict(request: InferRequest): Promise<InferResult> {
 *         const table = this.decodeRequest<Table>(request)                      // content type pd
 *         const x = table.column<Float64Array>('x')
 *         return this.encodeResponse({doubled: x.map((v) => 2 * v)})           // one output, np
 *       }
 *     }
 */

// The runtime contract
export {BaseRuntime} from './runtimes/custom/base-runtime.js'
export type {
  MetricLabels,
  MetricOptions,
  Runtime,
  RuntimeContext,
  RuntimeCounter,
  RuntimeGauge,
  RuntimeHistogram,
  RuntimeLogger,
  RuntimeMetadata,
  RuntimeMetrics,
} from './runtimes/runtime.js'
export type {ModelSettings} from './settings/model-settings.js'

// Errors: throw an MlsError to answer with its code (INVALID_DATA and the other "invalid" codes answer 400)
export {MlsError, type ErrorCode, type ErrorKind} from './errors.js'

// Open Inference Protocol (V2) types
export type {Datatype, NumericArray} from './protocol/datatypes.js'
export type {
  InferenceRequestBody,
  InferenceResponse,
  InferenceResult,
  InferRequest,
  InferResult,
  ModelMetadata,
  ModelState,
  Parameters,
  RepositoryIndexItem,
  RequestInput,
  RequestOutput,
  ResponseOutput,
  ServerMetadata,
  Tensor,
  TensorData,
  TensorMetadata,
} from './protocol/types.js'

// Content types (codecs)
export * from './codecs/index.js'
