/** Triton's model configuration and statistics extensions on GRPCInferenceService: ModelConfig, ModelStatistics. */
import type * as grpc from '@grpc/grpc-js'
import type {DataPlane} from '../../dataplane/dataplane.js'
import type {ModelRequestMessage} from '../../protocol/grpc-messages.js'
import {unary, type HandlerContext} from './handlers.js'

export function extensionHandlers(dataplane: DataPlane, context: HandlerContext): grpc.UntypedServiceImplementation {
  return {
    // Triton's message wraps the configuration; enums travel by name (TYPE_FP32), the oneof by the field set.
    ModelConfig: unary(context, 'ModelConfig', async (r: ModelRequestMessage) => ({config: await dataplane.modelConfig(r.name, r.version || undefined)})),
    // proto3 has no absent version: "" is every version, as on Triton. An unversioned model's version reads "".
    ModelStatistics: unary(context, 'ModelStatistics', async (r: ModelRequestMessage) => {
      const {model_stats} = await dataplane.modelStatistics(r.name || undefined, r.version || undefined)
      return {model_stats: model_stats.map((stats) => ({...stats, version: stats.version ?? ''}))}
    }),
  }
}
