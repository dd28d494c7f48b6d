/** Wraps data plane calls as grpc-js handlers: every failure goes through the one error mapper. */
import * as grpc from '@grpc/grpc-js'
import type {Logger} from '../../logger.js'
import type {RepositoryAuth} from '../repository-auth.js'
import {toServiceError} from './error-map.js'

/** Told of every completed call of the mls services (metrics). */
export interface GrpcObserver {
  grpcFinished(method: string, code: string, seconds: number): void
}

export interface HandlerContext {
  readonly logger: Logger
  readonly observer?: GrpcObserver
  /** The bearer-token guard of the repository rpcs (repository_auth_token); none when absent. */
  readonly repositoryAuth?: RepositoryAuth
}

export type Unary<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res

export function unary<Req, Res>(context: HandlerContext, method: string, fn: Unary<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  const {logger, observer} = context
  const done = (code: grpc.status, started: number) => {
    const seconds = (performance.now() - started) / 1000
    observer?.grpcFinished(method, grpc.status[code], seconds)
    if (logger.debugEnabled) {
      logger.debug(`gRPC ${method} ${grpc.status[code]}`, {event: 'grpc_call', method, code: grpc.status[code], duration_ms: Math.round(seconds * 1e5) / 100})
    }
  }
  const fail = (thrown: unknown, callback: grpc.sendUnaryData<Res>, started: number) => {
    const status = toServiceError(thrown)
    logFailure(logger, method, status.error)
    callback(status)
    done(status.code ?? grpc.status.UNKNOWN, started)
  }
  return (call, callback) => {
    const started = performance.now()
    let result: Promise<Res> | Res
    try {
      result = fn(call.request, call)
    } catch (thrown) {
      fail(thrown, callback, started)
      return
    }
    if (!(result instanceof Promise)) {
      callback(null, result)
      done(grpc.status.OK, started)
      return
    }
    result.then(
      (response) => {
        callback(null, response)
        done(grpc.status.OK, started)
      },
      (thrown: unknown) => fail(thrown, callback, started),
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
