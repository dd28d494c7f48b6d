/** Wraps data plane calls as grpc-js handlers: every failure goes through the one error mapper. */
import type * as grpc from '@grpc/grpc-js'
import type {Logger} from '../../logger.js'
import {toServiceError} from './error-map.js'

export type Unary<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res

export function unary<Req, Res>(logger: Logger, method: string, fn: Unary<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let result: Promise<Res>
    try {
      result = Promise.resolve(fn(call.request, call))
    } catch (thrown) {
      result = Promise.reject(thrown)
    }
    result.then(
      (response) => callback(null, response),
      (thrown: unknown) => {
        const status = toServiceError(thrown)
        logFailure(logger, method, status.error)
        callback(status)
      },
    )
  }
}

export function logFailure(logger: Logger, method: string, error: {code: string; message: string; stack?: string; cause?: unknown}): void {
  if (error.code === 'INTERNAL') {
    logger.error(`gRPC ${method}: ${error.stack ?? error.message}${error.cause instanceof Error ? `\ncaused by: ${error.cause.stack}` : ''}`)
  } else {
    logger.debug(`gRPC ${method}: ${error.code}: ${error.message}`)
  }
}
