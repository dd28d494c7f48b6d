/**
 * Where the dashboard's data comes from: one snapshot of a server's public endpoints per poll, and the two repository
 * actions. The HTTP source talks to a real server; tests pass their own.
 */
import type {RepositoryIndexItem, ServerMetadata} from '../../protocol/types.js'

/** The answer of one endpoint: its value, or why there is none (a short reason such as "ECONNREFUSED", "HTTP 404"). */
export type Probe<T> = {readonly ok: true; readonly value: T} | {readonly ok: false; readonly error: string}

/** What one poll saw. */
export interface ServerSnapshot {
  /** When the poll finished (ms; any clock, the same for every snapshot of a source). */
  readonly time: number
  /** GET /v2/health/ready: true on 200, false on any other status. */
  readonly ready: Probe<boolean>
  /** GET /v2; absent when the poll did not ask for it (it is asked for until it has been had once). */
  readonly metadata?: Probe<ServerMetadata>
  /** POST /v2/repository/index. */
  readonly index: Probe<readonly RepositoryIndexItem[]>
  /** The Prometheus text of the metrics endpoint. */
  readonly metrics: Probe<string>
}

/** A server to watch. */
export interface MonitorSource {
  /** REST base URL, shown in the header. */
  readonly url: string
  /** Metrics URL, shown in the header. */
  readonly metricsUrl: string
  snapshot(options: {readonly metadata: boolean}): Promise<ServerSnapshot>
  /** Loads (or reloads) every version of a model; rejects with a message to show. */
  load(name: string): Promise<void>
  /** Unloads every version of a model; rejects with a message to show. */
  unload(name: string): Promise<void>
  /**
   * Events the server tells of itself as they happen (the repository watcher of `mls start --watch`), for the event
   * list; returns the function that stops them. Absent: only what polls show.
   */
  subscribe?(listener: (event: SourceEvent) => void): () => void
}

/** An event a source tells of: the dashboard stamps it with the time it arrives. */
export interface SourceEvent {
  readonly level: 'info' | 'ok' | 'warn' | 'error'
  readonly text: string
}

/** A successful probe. */
export const ok = <T>(value: T): Probe<T> => ({ok: true, value})

/** A failed probe. */
export const failed = <T = never>(error: string): Probe<T> => ({ok: false, error})
