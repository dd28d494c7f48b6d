/**
 * The Prometheus metrics, with MLServer's exposed names and one label scheme (model, version) for model metrics.
 * Nothing here knows a transport: the data plane reports inferences, each transport reports its requests through one
 * hook, the registry reports state changes.
 */
import {Counter, Gauge, Registry, collectDefaultMetrics} from 'prom-client'
import {logLinesDropped} from '../../log-sink.js'
import type {ModelState} from '../../protocol/types.js'
import type {RuntimeMetrics, RuntimeMetricsProvider} from '../../runtimes/runtime.js'
import type {ConnectionObserver} from '../connections/connection-table.js'
import type {ErrorCode} from '../../errors.js'
import {ErrorMetrics} from './error-metrics.js'
import {FastCounter, FastGauge, FastHistogram} from './fast-metrics.js'
import {RuntimeMetricFamilies} from './runtime-metrics.js'

/** Seconds; finer than prom-client's default at the low end, where small models live. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/**
 * Every state model_state has a series for. NOT_LOADED (memory_budget: servable, not in memory, loads on the next
 * request) is a state of the repository index too; it is listed here so that such a version reads 1 in it, not 0 in all.
 */
const STATES: readonly string[] = ['UNKNOWN', 'LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE', 'NOT_LOADED']

interface ModelChildren {
  readonly success: {inc(): void}
  readonly failure: {inc(): void}
  readonly duration: {observe(v: number): void}
}

interface RestChildren {
  readonly inProgress: {inc(): void; dec(): void}
  readonly duration: {observe(v: number): void}
}

/** Values under two string keys, made on first use. */
class NestedCache<T> {
  private readonly outer = new Map<string, Map<string, T>>()

  get(a: string, b: string, make: () => T): T {
    let inner = this.outer.get(a)
    if (inner === undefined) this.outer.set(a, (inner = new Map()))
    let value = inner.get(b)
    if (value === undefined) inner.set(b, (value = make()))
    return value
  }
}

export interface MetricsOptions {
  /** MLServer's metrics_rest_server_prefix: names of the REST families. */
  readonly restPrefix: string
}

/** mls_log_lines_dropped_total: log lines stderr could not take (log-sink.ts), read from the sink when scraped. */
function countDroppedLogLines(registry: Registry): void {
  let seen = 0
  new Counter({
    name: 'mls_log_lines_dropped_total',
    help: 'Log lines dropped because they could not be written (stderr full, closed or not read)',
    registers: [registry],
    collect() {
      const now = logLinesDropped()
      if (now > seen) this.inc(now - seen)
      seen = now
    },
  })
}

export class Metrics implements RuntimeMetricsProvider, ConnectionObserver {
  readonly registry = new Registry()
  /** Families runtimes register through RuntimeContext.metrics. */
  private readonly custom = new RuntimeMetricFamilies(this.registry, LATENCY_BUCKETS)
  // The per-request families (see fast-metrics.ts); the rest are prom-client's own.
  private readonly inferSuccess: FastCounter<'model' | 'version'>
  private readonly inferFailure: FastCounter<'model' | 'version'>
  private readonly inferDuration: FastHistogram<'model' | 'version'>
  private readonly restTotal: FastCounter<'method' | 'path' | 'status'>
  private readonly restDuration: FastHistogram<'method' | 'path'>
  private readonly restInProgress: FastGauge<'method' | 'path'>
  private readonly grpcHandled: FastCounter<'grpc_method' | 'grpc_code'>
  private readonly grpcDuration: FastHistogram<'grpc_method'>
  private readonly modelState: Gauge<'model' | 'version' | 'state'>
  private readonly batchQueueGauge: Gauge<'model' | 'version'>
  private readonly parallelQueueGauge: Gauge<'model' | 'version'>
  private readonly connectionsRefused: Counter<'transport'>
  private readonly connectionsEvicted: Counter<'transport'>
  private readonly errors: ErrorMetrics

  /**
   * Labelled children, created once per label set: prom-client hashes the labels on every call otherwise, and these
   * calls sit on every request's path. Label values are bounded (models, route templates, status codes). Looked up
   * through nested maps keyed by the label values themselves: no key string is built per call.
   */
  private readonly modelChildren = new NestedCache<ModelChildren>()
  private readonly restRouteChildren = new NestedCache<RestChildren>()
  private readonly restStatusChildren = new Map<number, NestedCache<{inc(): void}>>()
  private readonly grpcCodeChildren = new NestedCache<{inc(): void}>()
  private readonly grpcDurationChildren = new Map<string, {observe(v: number): void}>()

  constructor(options: MetricsOptions) {
    const registers = [this.registry]
    const modelLabels = ['model', 'version'] as const
    this.inferSuccess = new FastCounter({name: 'model_infer_request_success_total', help: 'Successful inference requests', labelNames: modelLabels, registers})
    this.inferFailure = new FastCounter({name: 'model_infer_request_failure_total', help: 'Failed inference requests (model known)', labelNames: modelLabels, registers})
    this.inferDuration = new FastHistogram({name: 'model_infer_request_duration', help: 'Inference request duration in seconds', labelNames: modelLabels, buckets: LATENCY_BUCKETS, registers})
    const rest = options.restPrefix
    this.restTotal = new FastCounter({name: `${rest}_requests_total`, help: 'REST requests by route template and status', labelNames: ['method', 'path', 'status'], registers})
    this.restDuration = new FastHistogram({name: `${rest}_requests_duration_seconds`, help: 'REST request duration in seconds', labelNames: ['method', 'path'], buckets: LATENCY_BUCKETS, registers})
    this.restInProgress = new FastGauge({name: `${rest}_requests_in_progress`, help: 'REST requests being served', labelNames: ['method', 'path'], registers})
    this.grpcHandled = new FastCounter({name: 'grpc_server_handled_total', help: 'gRPC calls completed, by method and status code', labelNames: ['grpc_method', 'grpc_code'], registers})
    this.grpcDuration = new FastHistogram({name: 'grpc_server_handling_seconds', help: 'gRPC call duration in seconds', labelNames: ['grpc_method'], buckets: LATENCY_BUCKETS, registers})
    this.modelState = new Gauge({name: 'model_state', help: 'Model state: 1 for the current state of each model version', labelNames: ['model', 'version', 'state'], registers})
    this.batchQueueGauge = new Gauge({name: 'batch_request_queue', help: 'Requests waiting for their adaptive batch', labelNames: modelLabels, registers})
    this.errors = new ErrorMetrics(this.registry)
    this.parallelQueueGauge = new Gauge({name: 'parallel_request_queue', help: 'Requests sent to worker threads and not answered yet', labelNames: modelLabels, registers})
    this.connectionsRefused = new Counter({name: 'mls_connections_refused_total', help: 'New connections closed at once: max_connections were open and all busy', labelNames: ['transport'], registers})
    this.connectionsEvicted = new Counter({name: 'mls_connections_evicted_total', help: 'Idle or stalled connections closed to make room for a new one (max_connections)', labelNames: ['transport'], registers})
    // Both transports' series exist from the start, at 0: an alert on a rate needs the series before the first event.
    for (const transport of ['rest', 'grpc']) {
      this.connectionsRefused.labels({transport}).inc(0)
      this.connectionsEvicted.labels({transport}).inc(0)
    }
    collectDefaultMetrics({register: this.registry})
    countDroppedLogLines(this.registry)
  }

  /** One inference of a known model; `seconds` from resolving the model to the answer. */
  inference(model: string, version: string | undefined, seconds: number, ok: boolean): void {
    const child = this.modelChildren.get(model, version ?? '', () => {
      const labels = {model, version: version ?? ''}
      return {success: this.inferSuccess.labels(labels), failure: this.inferFailure.labels(labels), duration: this.inferDuration.labels(labels)}
    })
    ;(ok ? child.success : child.failure).inc()
    child.duration.observe(seconds)
  }

  /** A failed inference of a version the repository has, by code (refused before running included). */
  inferenceFailed(model: string, version: string | undefined, code: ErrorCode): void {
    this.errors.inferenceFailed(model, version, code)
  }

  /** An inference naming a model or version the repository does not have (counted without the name). */
  unknownModel(code: ErrorCode): void {
    this.errors.unknownModel(code)
  }

  private restChildren(method: string, path: string): RestChildren {
    return this.restRouteChildren.get(method, path, () => ({
      inProgress: this.restInProgress.labels({method, path}),
      duration: this.restDuration.labels({method, path}),
    }))
  }

  restStarted(method: string, path: string): void {
    this.restChildren(method, path).inProgress.inc()
  }

  restFinished(method: string, path: string, status: number, seconds: number): void {
    const child = this.restChildren(method, path)
    child.inProgress.dec()
    child.duration.observe(seconds)
    let byStatus = this.restStatusChildren.get(status)
    if (byStatus === undefined) this.restStatusChildren.set(status, (byStatus = new NestedCache()))
    byStatus.get(method, path, () => this.restTotal.labels({method, path, status: String(status)})).inc()
  }

  grpcFinished(method: string, code: string, seconds: number): void {
    this.grpcCodeChildren.get(method, code, () => this.grpcHandled.labels({grpc_method: method, grpc_code: code})).inc()
    let duration = this.grpcDurationChildren.get(method)
    if (duration === undefined) this.grpcDurationChildren.set(method, (duration = this.grpcDuration.labels({grpc_method: method})))
    duration.observe(seconds)
  }

  connectionRefused(transport: string): void {
    this.connectionsRefused.labels({transport}).inc()
  }

  connectionEvicted(transport: string): void {
    this.connectionsEvicted.labels({transport}).inc()
  }

  state(model: string, version: string | undefined, state: ModelState): void {
    for (const s of STATES) this.modelState.set({model, version: version ?? '', state: s}, s === state ? 1 : 0)
  }

  /** Drops a version's state series (it left the repository). */
  forgetState(model: string, version: string | undefined): void {
    for (const s of STATES) this.modelState.remove({model, version: version ?? '', state: s})
  }

  batchQueue(model: string, version: string | undefined, waiting: number): void {
    this.batchQueueGauge.set({model, version: version ?? ''}, waiting)
  }

  /** Requests sent to a model's worker threads and not answered yet (parallel_workers). */
  parallelQueue(model: string, version: string | undefined, inFlight: number): void {
    this.parallelQueueGauge.set({model, version: version ?? ''}, inFlight)
  }

  /** The custom metrics of one model version, labelled with its name and version. */
  forModel(model: string, version: string | undefined): RuntimeMetrics {
    return this.custom.forModel(model, version)
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
