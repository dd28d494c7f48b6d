/**
 * Malformed protobuf bytes: grpc-js answers a request that fails to deserialize with INTERNAL. mls wraps every
 * deserializer so such a request reaches the handler as a marker and is refused as INVALID_ARGUMENT / INVALID_REQUEST.
 */
import type * as grpc from '@grpc/grpc-js'
import {MlsError} from '../../errors.js'
import {toServiceError} from './error-map.js'

const MALFORMED = Symbol('malformed')

/** The error for a request whose bytes did not parse, or undefined for a good one. */
export function malformedError(request: unknown): MlsError | undefined {
  const reason = (request as Record<symbol, string> | undefined)?.[MALFORMED]
  return reason === undefined ? undefined : new MlsError('INVALID_REQUEST', `malformed protobuf message: ${reason}`)
}

export function guardDeserializers(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          try {
            return method.requestDeserialize(bytes)
          } catch (error) {
            return {[MALFORMED]: (error as Error).message}
          }
        },
      },
    ]),
  ) as grpc.ServiceDefinition
}

/** Refuses a request whose bytes did not parse, before the handler sees it (unary and server-streaming calls). */
export function guardHandlers(handlers: grpc.UntypedServiceImplementation): grpc.UntypedServiceImplementation {
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (call: grpc.ServerUnaryCall<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>) => {
        const error = malformedError((call as {request?: unknown}).request)
        if (error !== undefined) {
          // A unary call answers through its callback; a server-streaming one (Health/Watch) ends with the status.
          if (callback !== undefined) return callback(toServiceError(error))
          return call.emit('error', toServiceError(error))
        }
        return (handler as (...args: unknown[]) => unknown)(call, callback)
      },
    ]),
  )
}

