/** Wraps data plane calls as grpc-js handlers: every failure goes through the one error mapper. */
import * as grpc from '@grpc/grpc-js'
import type {Logger} from '../../logger.js'
import type {RepositoryAuth} from '../repository-auth.js'
import {toServiceError} from './error-map.js'
import type {InferenceTracer} from '../../tracing/inference-trace.js'

/** Told of every completed call of the mls services (metrics). */
export interface GrpcObserver {
  grpcFinished(method: string, code: string, seconds: number): void
}

export interface HandlerContext {
  readonly logger: Logger
  readonly observer?: GrpcObserver
  /** The bearer-token guard of the repository rpcs (repository_auth_token); none when absent. */
  readonly repositoryAuth?: RepositoryAuth
  /** Tracing, when configured (inference rpcs get a server span). */
  readonly tracer?: InferenceTracer
}

export type Unary<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res

/**
 * How a call ended for metrics: `code` as sent, unless the call was cancelled first, which grpc-js does when the client
 * cancels (CANCELLED) and when the deadline passes (DEADLINE_EXCEEDED): then the client never got `code`.
 */
export function endedAs(call: {readonly cancelled: boolean; getDeadline(): grpc.Deadline}, code: grpc.status): grpc.status {
  if (!call.cancelled) return code
  const deadline = call.getDeadline()
  const ms = deadline instanceof Date ? deadline.getTime() : deadline
  return Number.isFinite(ms) && Date.now() >= ms ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED
}

export function unary<Req, Res>(context: HandlerContext, method: string, fn: Unary<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  const {logger, observer} = context
  const done = (call: grpc.ServerUnaryCall<Req, Res>, sent: grpc.status, started: number) => {
    const code = endedAs(call, sent)
    const seconds = (performance.now() - started) / 1000
    observer?.grpcFinished(method, grpc.status[code], seconds)
    if (logger.debugEnabled) {
      logger.debug(`gRPC ${method} ${grpc.status[code]}`, {event: 'grpc_call', method, code: grpc.status[code], duration_ms: Math.round(seconds * 1e5) / 100})
    }
  }
  // Counted before the answer is handed to grpc-js: a call the client already reset must still be counted.
  const fail = (thrown: unknown, call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>, started: number) => {
    const status = toServiceError(thrown)
    logFailure(logger, method, status.error)
    done(call, status.code ?? grpc.status.UNKNOWN, started)
    callback(status)
  }
  const succeed = (response: Res, call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>, started: number) => {
    done(call, grpc.status.OK, started)
    callback(null, response)
  }
  return (call, callback) => {
    const started = performance.now()
    let result: Promise<Res> | Res
    try {
      result = fn(call.request, call)
    } catch (thrown) {
      fail(thrown, call, callback, started)
      return
    }
    if (!(result instanceof Promise)) {
      succeed(result, call, callback, started)
      return
    }
    result.then(
      (response) => succeed(response, call, callback, started),
      (thrown: unknown) => fail(thrown, call, callback, started),
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
