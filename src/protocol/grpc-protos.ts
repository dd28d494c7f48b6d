/** Loads proto/*.proto once: the service definitions the gRPC server serves, reflection describes and the client calls. */
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import type {ModelStreamInferResponseMessage} from './grpc-messages.js'
import type {GrpcStreamFormat} from '../settings/server-settings.js'
import {encodeStreamInferResponse} from './stream-response-wire.js'

export const PROTO_DIR = fileURLToPath(new URL('../../proto', import.meta.url))
export const PROTO_FILES = ['dataplane.proto', 'model_repository.proto', 'health.proto']

/** keepCase: fields keep the proto's snake_case names; longs as numbers; absent fields get proto3 defaults ('' not undefined); oneofs name the chosen field. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
}

export interface LoadedProtos {
  readonly packageDefinition: protoLoader.PackageDefinition
  readonly inference: grpc.ServiceDefinition
  readonly modelRepository: grpc.ServiceDefinition
  readonly health: grpc.ServiceDefinition
}

let loaded: LoadedProtos | undefined

export function loadProtos(): LoadedProtos {
  if (loaded) return loaded
  const packageDefinition = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS)
  const service = (name: string) => packageDefinition[name] as grpc.ServiceDefinition
  loaded = {
    packageDefinition,
    inference: service('inference.GRPCInferenceService'),
    modelRepository: service('inference.model_repository.ModelRepositoryService'),
    health: service('grpc.health.v1.Health'),
  }
  return loaded
}

/**
 * inference.GRPCInferenceService as served with `format`: "mlserver" as proto/dataplane.proto declares it; "triton"
 * with ModelStreamInfer returning ModelStreamInferResponse messages (Triton's declaration), each encoded around the
 * ModelInferResponse it carries.
 */
export function inferenceService(format: GrpcStreamFormat): grpc.ServiceDefinition {
  const {inference, packageDefinition} = loadProtos()
  if (format === 'mlserver') return inference
  const stream = inference.ModelStreamInfer
  const serializeAnswer = stream.responseSerialize
  return {
    ...inference,
    ModelStreamInfer: {
      ...stream,
      responseSerialize: (message: ModelStreamInferResponseMessage) => encodeStreamInferResponse(message.error_message, serializeAnswer(message.infer_response)),
      responseType: packageDefinition['inference.ModelStreamInferResponse'],
    } as grpc.MethodDefinition<unknown, unknown>,
  }
}
