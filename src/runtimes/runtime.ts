/**
 * The runtime contract: what every model implementation provides, the built-in ones (onnx, sklearn, xgboost) and
 * custom ones alike. A runtime knows nothing of HTTP, gRPC or Prometheus: it receives validated tensors (already
 * converted to the datatypes its metadata declares) and returns tensors. This file is part of the public API.
 */
import type {InferRequest, InferResult, TensorMetadata} from '../protocol/types.js'
import type {ModelSettings} from '../settings/model-settings.js'

/** What a model declares about itself (GET /v2/models/{m}). */
export interface RuntimeMetadata {
  readonly platform: string
  /** What the model takes; an empty list means "not declared" and inputs are passed through unchecked. */
  readonly inputs: readonly TensorMetadata[]
  /** Every output a client may request by name; an empty list means "not declared". */
  readonly outputs: readonly TensorMetadata[]
}

export interface Runtime {
  /** Reads the artifact and prepares inference. Throwing leaves the model UNAVAILABLE with the message as reason. */
  load(): Promise<void>
  /** Valid after load(). model-settings.json `inputs` / `outputs`, when given, take precedence over these. */
  metadata(): RuntimeMetadata
  /**
   * One inference. `request.outputs` undefined means the runtime's default outputs; otherwise exactly those, in that
   * order. An MlsError thrown here keeps its code; any other error answers 400 INFERENCE_FAILED with its message.
   */
  predict(request: InferRequest): Promise<InferResult>
  /**
   * Optional: answers a stream of requests with a stream of results (MLServer's predict_stream), for runtimes that
   * produce their answer in parts. gRPC ModelStreamInfer calls it for a custom runtime that has it: each request of
   * the stream arrives checked and decoded by the data plane, and every result it yields is a response.
   */
  predictStream?(requests: AsyncIterable<InferRequest>): AsyncIterable<InferResult>
  /** Frees what load() took. Called once no request is in flight. */
  unload(): Promise<void>
  /**
   * Optional, read once after load(): the bytes this loaded model keeps, when the runtime can count them better than
   * a process-wide measurement around its load (which sees the load's garbage, and other requests' allocations).
   * With a memory_budget this is the version's measured size (mls's XGBoost runtime: its forest's arrays).
   */
  memoryBytes?(): number
}

/** Label values beyond `model` and `version`, for metrics registered with extra label names. */
export type MetricLabels = Readonly<Record<string, string | number>>

/** A Prometheus counter labelled with the model and version. */
export interface RuntimeCounter {
  /** Adds `value` (default 1, never negative). */
  inc(value?: number, labels?: MetricLabels): void
}

/** A Prometheus histogram labelled with the model and version. */
export interface RuntimeHistogram {
  observe(value: number, labels?: MetricLabels): void
}

/** A Prometheus gauge labelled with the model and version. */
export interface RuntimeGauge {
  set(value: number, labels?: MetricLabels): void
  inc(value?: number, labels?: MetricLabels): void
  dec(value?: number, labels?: MetricLabels): void
}

/** Options of a custom metric. */
export interface MetricOptions {
  /** Label names beyond `model` and `version` (which every custom metric has). */
  readonly labelNames?: readonly string[]
  /** Histograms: bucket upper bounds (default: the server's latency buckets, in seconds). */
  readonly buckets?: readonly number[]
}

/**
 * Custom metrics on the server's /metrics, each labelled with this model's name and version. Registering a name that
 * exists with the same type and labels (another version of the model, a reload) returns the same family; a name that
 * clashes with a built-in family or with another type is an error.
 */
export interface RuntimeMetrics {
  counter(name: string, help: string, options?: MetricOptions): RuntimeCounter
  histogram(name: string, help: string, options?: MetricOptions): RuntimeHistogram
  gauge(name: string, help: string, options?: MetricOptions): RuntimeGauge
}

/** Hands each model its RuntimeMetrics (the server's Metrics implements it); not part of the public API. */
export interface RuntimeMetricsProvider {
  forModel(model: string, version: string | undefined): RuntimeMetrics
}

/** Where a runtime's messages go (the server's log); fields are appended as key=value or JSON keys. */
export interface RuntimeLogger {
  debug(message: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void
  info(message: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void
  warn(message: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void
  error(message: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void
}

/** What a runtime is given: its settings, its metrics and the log. A custom runtime class receives it in its constructor. */
export interface RuntimeContext {
  /** The model's model-settings.json, parsed: name, version, folder, uri, extra (parameters.extra), inputs, outputs... */
  readonly settings: ModelSettings
  readonly metrics: RuntimeMetrics
  readonly logger: RuntimeLogger
}

export type RuntimeFactory = (settings: ModelSettings) => Runtime
