/** Test data for the dashboard: Prometheus text as mls writes it, repository indexes, and a scripted source. */
import type {ModelState, RepositoryIndexItem} from '../../../src/protocol/types.js'
import {ok, type MonitorSource, type Probe, type ServerSnapshot} from '../../../src/tui/sources/monitor-source.js'

export interface ModelMetrics {
  readonly success?: number
  readonly failure?: number
  /** [le, cumulative count]; +Inf is added with the last count. */
  readonly buckets?: ReadonlyArray<[number, number]>
  readonly state?: ModelState
  /** Requests waiting for their batch (batch_request_queue); the family is declared only when some model has one. */
  readonly queue?: number
  /** Failed inferences by error code (mls_infer_errors_total); the family is declared only when some model has some. */
  readonly errors?: Readonly<Record<string, number>>
}

/**
 * The text of mls's metrics endpoint for `models` (keyed "name:version"), with `inFlight` REST inferences and, when
 * given, `unknownModels` requests to models the server does not have.
 */
export function metricsText(models: Record<string, ModelMetrics>, inFlight = 0, unknownModels?: number): string {
  const lines = ['# HELP model_infer_request_success_total x', '# TYPE model_infer_request_success_total counter']
  const each = (write: (labels: string, m: ModelMetrics) => void) => {
    for (const [key, m] of Object.entries(models)) {
      const [model, version = ''] = key.split(':')
      write(`model="${model}",version="${version}"`, m)
    }
  }
  each((l, m) => m.success !== undefined && lines.push(`model_infer_request_success_total{${l}} ${m.success}`))
  lines.push('# TYPE model_infer_request_failure_total counter')
  each((l, m) => m.failure !== undefined && lines.push(`model_infer_request_failure_total{${l}} ${m.failure}`))
  lines.push('# TYPE model_infer_request_duration histogram')
  each((l, m) => {
    if (m.buckets === undefined) return
    for (const [le, count] of m.buckets) lines.push(`model_infer_request_duration_bucket{le="${le}",${l}} ${count}`)
    lines.push(`model_infer_request_duration_bucket{le="+Inf",${l}} ${m.buckets[m.buckets.length - 1][1]}`)
  })
  lines.push('# TYPE model_state gauge')
  each((l, m) => m.state !== undefined && lines.push(`model_state{${l},state="${m.state}"} 1`))
  if (Object.values(models).some((m) => m.queue !== undefined)) {
    lines.push('# TYPE batch_request_queue gauge')
    each((l, m) => m.queue !== undefined && lines.push(`batch_request_queue{${l}} ${m.queue}`))
  }
  if (Object.values(models).some((m) => m.errors !== undefined)) {
    lines.push('# TYPE mls_infer_errors_total counter')
    each((l, m) => Object.entries(m.errors ?? {}).forEach(([code, n]) => lines.push(`mls_infer_errors_total{${l},code="${code}"} ${n}`)))
  }
  if (unknownModels !== undefined) {
    lines.push('# TYPE mls_infer_unknown_model_total counter')
    lines.push(`mls_infer_unknown_model_total{code="MODEL_NOT_FOUND"} ${unknownModels}`, 'mls_infer_unknown_model_total{code="MODEL_VERSION_NOT_FOUND"} 0')
  }
  lines.push('# TYPE rest_server_requests_in_progress gauge')
  lines.push(`rest_server_requests_in_progress{method="POST",path="/v2/models/:name/infer"} ${inFlight}`)
  lines.push(`rest_server_requests_in_progress{method="GET",path="/v2/models/:name"} 7`)
  lines.push('process_cpu_seconds_total 1.5')
  return lines.join('\n') + '\n'
}

/** A repository index item. */
export const item = (name: string, version: string | undefined, state: ModelState, reason = ''): RepositoryIndexItem => ({name, version, state, reason})

/** One poll's answers; `time` in ms. Omitted probes answer as a healthy, metric-less server would. */
export interface Step {
  readonly time?: number
  readonly ready?: Probe<boolean>
  readonly index?: Probe<readonly RepositoryIndexItem[]>
  readonly metrics?: Probe<string>
  readonly metadataProbe?: Probe<{name: string; version: string; extensions: string[]}>
}

export const METADATA = {name: 'mls', version: '0.1.0', extensions: ['model_repository']}

/** The snapshot of `step`, at `fallbackTime` unless the step says when. */
export function snapshotOf(step: Step, fallbackTime: number): ServerSnapshot {
  return {
    time: step.time ?? fallbackTime,
    ready: step.ready ?? ok(true),
    metadata: step.metadataProbe ?? ok(METADATA),
    index: step.index ?? ok([]),
    metrics: step.metrics ?? ok(metricsText({})),
  }
}

/** A source that answers the steps in turn (then the last one again, one second later each time). */
export function scriptedSource(steps: readonly Step[]): MonitorSource & {polls: number; loaded: string[]; unloaded: string[]} {
  const source = {
    url: 'http://127.0.0.1:9080',
    metricsUrl: 'http://127.0.0.1:9082/metrics',
    polls: 0,
    loaded: [] as string[],
    unloaded: [] as string[],
    async snapshot(): Promise<ServerSnapshot> {
      const i = source.polls++
      return snapshotOf(steps[Math.min(i, steps.length - 1)], i * 1000)
    },
    async load(name: string) {
      source.loaded.push(name)
    },
    async unload(name: string) {
      source.unloaded.push(name)
    },
  }
  return source
}
