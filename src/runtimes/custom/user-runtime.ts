/**
 * What mls accepts from a runtime module: the Runtime contract with everything but predict optional, and predict free
 * to return either an InferResult or any value encodeResponse takes (a Table, an NdArray, strings, an object of
 * named outputs...). A plain object's load() also receives the RuntimeContext.
 */
import type {InferRequest} from '../../protocol/types.js'
import type {RuntimeContext, RuntimeMetadata} from '../runtime.js'

export interface UserRuntime {
  load?(context: RuntimeContext): unknown
  metadata?(): Partial<RuntimeMetadata> | undefined
  predict(request: InferRequest): unknown
  predictStream?(requests: AsyncIterable<InferRequest>): AsyncIterable<unknown>
  unload?(): unknown
}
