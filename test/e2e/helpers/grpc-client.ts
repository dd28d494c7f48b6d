/** gRPC clients for the tests, from the separately written client protos in test/fixtures (not from proto/). */
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

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
