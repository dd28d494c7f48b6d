/** inference.GRPCInferenceService: every rpc translates its message, calls the data plane, translates back. */
import type * as grpc from '@grpc/grpc-js'
import type {DataPlane} from '../../dataplane/dataplane.js'
import type {Logger} from '../../logger.js'
import {toServiceError} from './error-map.js'
import {logFailure, unary} from './handlers.js'
import {malformedError} from './malformed.js'
import {fromModelInferRequest, toModelInferResponse, type ModelInferRequestMessage, type ModelInferResponseMessage} from './infer-messages.js'
import {toInferParameters} from './parameters.js'
import {repositoryHandlers} from './repository-service.js'

interface NameVersion {
  name: string
  version?: string
}

export async function modelInfer(dataplane: DataPlane, message: ModelInferRequestMessage): Promise<ModelInferResponseMessage> {
  const malformed = malformedError(message)
  if (malformed) throw malformed
  const {body, raw} = fromModelInferRequest(message)
  const result = await dataplane.infer(message.model_name, message.model_version || undefined, body)
  return toModelInferResponse(result, raw)
}

/**
 * ModelStreamInfer as MLServer serves it: requests answered in order, one plain ModelInferResponse each. The message
 * has no error field, so an error ends the stream with the mapped status.
 */
function modelStreamInfer(dataplane: DataPlane, logger: Logger): grpc.handleBidiStreamingCall<ModelInferRequestMessage, ModelInferResponseMessage> {
  return (call) => {
    let chain = Promise.resolve()
    let failed = false
    call.on('data', (message: ModelInferRequestMessage) => {
      chain = chain.then(async () => {
        if (failed || call.cancelled) return
        try {
          call.write(await modelInfer(dataplane, message))
        } catch (thrown) {
          failed = true
          const status = toServiceError(thrown)
          logFailure(logger, 'ModelStreamInfer', status.error)
          call.emit('error', status)
        }
      })
    })
    call.on('end', () => {
      void chain.then(() => {
        if (!failed) call.end()
      })
    })
  }
}

export function inferenceHandlers(dataplane: DataPlane, logger: Logger): grpc.UntypedServiceImplementation {
  return {
    ServerLive: unary(logger, 'ServerLive', () => ({live: dataplane.live()})),
    ServerReady: unary(logger, 'ServerReady', () => ({ready: dataplane.ready()})),
    ModelReady: unary(logger, 'ModelReady', (r: NameVersion) => ({ready: dataplane.modelReady(r.name, r.version || undefined)})),
    ServerMetadata: unary(logger, 'ServerMetadata', () => dataplane.serverMetadata()),
    ModelMetadata: unary(logger, 'ModelMetadata', (r: NameVersion) => {
      const metadata = dataplane.modelMetadata(r.name, r.version || undefined)
      const tensor = (t: (typeof metadata.inputs)[number]) => ({name: t.name, datatype: t.datatype, shape: [...t.shape], parameters: toInferParameters(t.parameters)})
      return {...metadata, inputs: metadata.inputs.map(tensor), outputs: metadata.outputs.map(tensor), parameters: toInferParameters(metadata.parameters)}
    }),
    ModelInfer: unary(logger, 'ModelInfer', (r: ModelInferRequestMessage) => modelInfer(dataplane, r)),
    ModelStreamInfer: modelStreamInfer(dataplane, logger),
    ...repositoryHandlers(dataplane, logger),
  }
}
