/**
 * Admission: whether a model takes one more request (max_queue_size), and the time it gets (infer_timeout, or the
 * client's deadline when that comes first). An admitted request holds a place in its model's queue through its
 * RequestScope, which gives the place back (see RequestScope.hold).
 */
import {MlsError, RETRY_AFTER_SECONDS} from '../errors.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import {modelLabel} from '../repository/model-label.js'
import type {ModelSettings} from '../settings/model-settings.js'
import type {ServerSettings} from '../settings/server-settings.js'
import type {InferenceTrace} from '../tracing/inference-trace.js'
import {RequestScope, type ClientWatch} from './request-scope.js'

/** The server-wide limits; a model's model-settings.json may override each. */
export type ServerLimits = Partial<Pick<ServerSettings, 'max_queue_size' | 'infer_timeout'>>

/**
 * Where a body's tensor values come from: a JSON body (REST), or gRPC messages (typed contents). It matters for one
 * thing: JSON has no Infinity, so there a number that parsed as ±Infinity (1e400) overflowed and is refused.
 */
export type BodySource = 'json' | 'grpc'

/** What a transport knows about one inference call beyond its body. */
export interface InferOptions {
  /** Where the body came from; default 'json'. */
  readonly source?: BodySource
  /** Tells when the client goes away (REST connection closed, gRPC call cancelled): the request is then given up. */
  readonly watchClient?: ClientWatch
  /** When the client stops waiting (gRPC deadline), epoch milliseconds; the request times out then at the latest. */
  readonly deadline?: number
  /**
   * The transport took this request before a stop began (REST: its headers had arrived) and refuses the ones that
   * arrive later itself: it finishes like the requests already running, instead of being refused SERVER_STOPPING.
   */
  readonly takenBeforeStop?: boolean
  /** With tracing configured, the call's server span (the transport began it): told the model and the phases' times. */
  readonly trace?: InferenceTrace
}

/** One inference (bounded by infer_timeout) or a stream (lasts as long as its client sends; the deadline still holds). */
export type AdmissionKind = 'request' | 'stream'

/**
 * Refuses the request with QUEUE_FULL when `instance` holds max_queue_size requests already; otherwise opens its
 * scope (timeout, client watch) and takes its place in the model's queue.
 */
export function admit(entry: Pick<ModelEntry, 'name' | 'version'>, instance: LoadedModel, limits: ServerLimits, options: InferOptions, kind: AdmissionKind): RequestScope {
  checkQueue(entry, instance, instance.settings, limits)
  const scope = openScope(entry, instance.settings, limits, options, kind)
  scope.hold(instance)
  return scope
}

/**
 * A request for a version that is not in memory yet (memory_budget): its scope opens now, so its time runs while the
 * version loads; it takes its place in the queue with `takePlace` once the instance is there.
 */
export function openScope(entry: Pick<ModelEntry, 'name' | 'version'>, settings: ModelLimits, limits: ServerLimits, options: InferOptions, kind: AdmissionKind): RequestScope {
  const seconds = kind === 'request' ? (settings.inferTimeout ?? limits.infer_timeout ?? 0) : 0
  let timeoutMs = seconds > 0 ? seconds * 1000 : undefined
  let timeoutLabel: string | undefined
  if (options.deadline !== undefined) {
    const left = Math.max(0, options.deadline - Date.now())
    if (timeoutMs === undefined || left < timeoutMs) {
      // At least 1 ms: a deadline already past still times out through the scope, with its message.
      timeoutMs = Math.max(left, 1)
      timeoutLabel = `the call's deadline (${left / 1000} s)`
    }
  }
  if (timeoutMs !== undefined && timeoutLabel === undefined) timeoutLabel = `infer_timeout (${seconds} s)`
  return new RequestScope(entry, options.watchClient, timeoutMs, timeoutLabel)
}

/** The place in `instance`'s queue for a scope opened before it loaded (openScope); QUEUE_FULL as admit. */
export function takePlace(scope: RequestScope, entry: Pick<ModelEntry, 'name' | 'version'>, instance: LoadedModel, limits: ServerLimits): void {
  checkQueue(entry, instance, instance.settings, limits)
  scope.hold(instance)
}

/** The per-model limits (model-settings.json) that override the server's. */
export type ModelLimits = Pick<ModelSettings, 'maxQueueSize' | 'inferTimeout'>

/** max_queue_size of `settings`, else the server's; 0: no bound. */
export function queueBound(settings: ModelLimits, limits: ServerLimits): number {
  return settings.maxQueueSize ?? limits.max_queue_size ?? 0
}

function checkQueue(entry: Pick<ModelEntry, 'name' | 'version'>, instance: LoadedModel, settings: ModelLimits, limits: ServerLimits): void {
  const bound = queueBound(settings, limits)
  if (bound > 0 && instance.inFlight >= bound) {
    throw new MlsError('QUEUE_FULL', `${modelLabel(entry)} has ${instance.inFlight} request(s) waiting or running (max_queue_size ${bound}); retry in ${RETRY_AFTER_SECONDS} s`)
  }
}
