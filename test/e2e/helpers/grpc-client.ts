/** gRPC clients for the tests, from the separately written client protos in test/fixtures (not from proto/). */
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

import {readTestSet, rowRequest} from './fixtures.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url))
const OPTIONS: protoLoader.Options = {keepCase: true, longs: String, enums: String, defaults: true, arrays: true, objects: true, oneofs: true}

type Client = grpc.Client & Record<string, any>

function load(file: string, service: string): grpc.ServiceClientConstructor {
  const root = grpc.loadPackageDefinition(protoLoader.loadSync(`${FIXTURES}/${file}`, OPTIONS)) as Record<string, any>
  return service.split('.').reduce((node, key) => node[key], root) as unknown as grpc.ServiceClientConstructor
}

export function inferenceClient(address: string, credentials = grpc.credentials.createInsecure()): Client {
  const Ctor = load('oip-client.proto', 'inference.GRPCInferenceService')
  return new Ctor(address, credentials, {'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20}) as Client
}

export function repositoryClient(address: string): Client {
  const Ctor = load('oip-repository-client.proto', 'inference.model_repository.ModelRepositoryService')
  return new Ctor(address, grpc.credentials.createInsecure()) as Client
}

/** Promise form of a unary call; rejects with the ServiceError (code, details, metadata). */
export function call<Res = any>(client: Client, method: string, request: unknown): Promise<Res> {
  return new Promise((resolve, reject) => client[method](request, (error: grpc.ServiceError | null, response: Res) => (error ? reject(error) : resolve(response))))
}

/** The status a unary call fails with: code name, details and the mls-error-code trailer. */
export async function failure(client: Client, method: string, request: unknown): Promise<{code: string; details: string; errorCode: unknown}> {
  try {
    await call(client, method, request)
  } catch (error) {
    const e = error as grpc.ServiceError
    return {code: grpc.status[e.code], details: e.details, errorCode: e.metadata.get('mls-error-code')[0]}
  }
  throw new Error(`${method} succeeded, a failure was expected`)
}

/** A typed-contents request for a whole test set (or one row). */
export function typed(model: string, set: ReturnType<typeof readTestSet>, extra: Record<string, unknown> = {}) {
  const input = set.request.inputs[0]
  return {
    model_name: model,
    inputs: [{name: 'predict', datatype: 'FP32', shape: input.shape, contents: {fp32s: input.data.map((v) => (v === null ? NaN : v))}}],
    ...extra,
  }
}

export function rawRequest(model: string, set: ReturnType<typeof readTestSet>) {
  const input = set.request.inputs[0]
  const values = Float32Array.from(input.data, (v) => (v === null ? NaN : v))
  return {model_name: model, inputs: [{name: 'predict', datatype: 'FP32', shape: input.shape}], raw_input_contents: [Buffer.from(values.buffer)]}
}

export const rowOf = (set: ReturnType<typeof readTestSet>, row: number) => {
  const {inputs} = rowRequest(set, row)
  return {inputs: inputs.map((i) => ({...i, data: i.data}))}
}
