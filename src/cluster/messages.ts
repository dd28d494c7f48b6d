/** The IPC messages between the cluster primary and its worker processes, and the environment a worker starts with. */
import type {MetricObjectWithValues, MetricValue} from 'prom-client'
import type {VersionStats} from '../dataplane/statistics.js'
import type {ErrorCode} from '../errors.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import type {ModelCounts} from '../server/ready-banner.js'

/** Set (to the process number, 1-based) in a worker's environment: the process serves, it does not fork. */
export const WORKER_ENV = 'MLS_CLUSTER_WORKER'
/** The primary's resolved settings (JSON, ports already chosen) in a worker's environment. */
export const SETTINGS_ENV = 'MLS_CLUSTER_SETTINGS'
/**
 * Set in the environment of a process that replaces one that died: it binds the ports only once its start-up loading
 * is done, so the other processes keep the traffic until it can serve (see worker.ts).
 */
export const REPLACEMENT_ENV = 'MLS_CLUSTER_REPLACEMENT'

export type RepositoryOp = 'load' | 'unload'

/** What belongs to the whole server and is read from every process (gather.ts): the index, the statistics, the metrics. */
export type GatherKind = 'index' | 'stats' | 'metrics'

/** One process's part of a gather: its repository index, its statistics, or its metrics (prom-client's JSON form). */
export type GatherPart =
  | {readonly kind: 'index'; readonly items: RepositoryIndexItem[]}
  | {readonly kind: 'stats'; readonly stats: VersionStats[]}
  | {readonly kind: 'metrics'; readonly metrics: MetricObjectWithValues<MetricValue<string>>[]}

/** A failure carried over IPC; `code` is the MlsError code when there was one. */
export interface WireError {
  readonly code: ErrorCode
  readonly message: string
}

/** Worker -> primary. */
export type WorkerMessage =
  | {readonly type: 'mls:listening'; readonly restUrl: string; readonly grpcAddress: string}
  | {readonly type: 'mls:loaded'; readonly summary: string; readonly counts: ModelCounts}
  | {readonly type: 'mls:failed'; readonly message: string}
  /** A load/unload that arrived at this worker: to be done in every process. */
  | {readonly type: 'mls:repo'; readonly id: number; readonly op: RepositoryOp; readonly name: string}
  /** This worker's part of a broadcast operation is done. */
  | {readonly type: 'mls:repo-done'; readonly id: number; readonly error?: WireError}
  /** A read of the whole server that arrived at this worker: to be gathered from every process. */
  | {readonly type: 'mls:gather'; readonly id: number; readonly kind: GatherKind}
  /** This worker's part of a gather. */
  | {readonly type: 'mls:gather-part'; readonly id: number; readonly part: GatherPart}

/** Primary -> worker. */
export type PrimaryMessage =
  | {readonly type: 'mls:repo-do'; readonly id: number; readonly op: RepositoryOp; readonly name: string}
  | {readonly type: 'mls:repo-result'; readonly id: number; readonly error?: WireError}
  | {readonly type: 'mls:gather-do'; readonly id: number; readonly kind: GatherKind}
  | {readonly type: 'mls:gather-result'; readonly id: number; readonly part?: GatherPart; readonly error?: WireError}
  | {readonly type: 'mls:stop'}
  /** Every first process has loaded: readiness, held until then, may turn true. */
  | {readonly type: 'mls:all-loaded'}

/** True for messages of ours (Node's cluster sends its own on the same channel). */
export function isMlsMessage(message: unknown): message is {type: string} {
  return typeof message === 'object' && message !== null && String((message as {type?: unknown}).type).startsWith('mls:')
}
