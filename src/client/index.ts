/** Makes the client a command asked for. */
import type {ClientCredentials} from './credentials.js'
import type {Endpoints} from './endpoints.js'
import {GrpcClient} from './grpc-client.js'
import type {MlsClient} from './mls-client.js'
import {RestClient} from './rest-client.js'

export function createClient(endpoints: Endpoints, options: {grpc?: boolean; credentials?: ClientCredentials} = {}): MlsClient {
  return options.grpc
    ? new GrpcClient(endpoints.grpc, options.credentials, endpoints.origin.grpc)
    : new RestClient(endpoints.rest, options.credentials, endpoints.origin.rest)
}

export type {InferOptions, MlsClient} from './mls-client.js'
export {resolveEndpoints, type Endpoint, type Endpoints} from './endpoints.js'
export {resolveCredentials, type ClientCredentials} from './credentials.js'
export {ConnectionError, ServerError} from './client-error.js'
