/**
 * The data plane: every Open Inference Protocol operation, free of any transport. REST and gRPC translate to and
 * from these calls; each validates its input fully before a runtime sees it and throws MlsError on failure.
 *
 * This class reads as the table of contents; the parts live next to it: admission.ts (queue bound, timeouts),
 * request-scope.ts (one request's limits and its queue place), decode-request.ts (a body as the runtime gets it),
 * infer-stream.ts (predictStream), stop-state.ts (a graceful stop) and inflight.ts (the requests being answered).
 */
import {MlsError} from '../errors.js'
import {checkModelName} from '../protocol/names.js'
import {repositoryIndexRequestSchema} from '../protocol/schemas.js'
import type {InferenceResult, InferRequest, InferResult, ModelMetadata, RepositoryIndexItem, ServerMetadata} from '../protocol/types.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import type {ModelRegistry} from '../repository/model-registry.js'
import {modelLabel} from '../repository/model-label.js'
import {resolveRuntimeName} from '../runtimes/registry.js'
import type {ServerSettings} from '../settings/server-settings.js'
import {MLS_VERSION} from '../version.js'
import {admit, openScope, type AdmissionKind, type InferOptions, type ServerLimits} from './admission.js'
import {classifyOutputs} from './classify.js'
import {decodeRequest, type DecodedRequest} from './decode-request.js'
import {inferenceError} from './inference-error.js'
import {reportFailed, reportUnresolved, type FailureObserver} from './failure-report.js'
import {streamAnswers} from './infer-stream.js'
import {InflightRequests} from './inflight.js'
import {checkLoadParameters} from './load-parameters.js'
import {OnDemandLoads} from './on-demand.js'
import {parseBody} from './parse-body.js'
import type {RequestedOutputs} from './cache-key.js'
import type {CachedAnswer, ResponseCache} from './response-cache.js'
import {batches, modelConfig, type ModelConfig} from './model-config.js'
import type {RequestScope} from './request-scope.js'
import {checkResponseSize} from './response-size.js'
import {emptyStats, InferenceStatistics, type VersionStats} from './statistics.js'
import {StopState} from './stop-state.js'

export type {InferOptions, ServerLimits} from './admission.js'

export const EXTENSIONS = ['model_repository', 'binary_tensor_data', 'classification', 'statistics', 'model_configuration'] as const

/** Told of every inference on a known model (metrics); the data plane itself knows no metrics library. */
export interface InferenceObserver extends FailureObserver {
  inference(model: string, version: string | undefined, seconds: number, ok: boolean): void
}

const NO_OPTIONS: InferOptions = {}

/** A stream of one request. */
async function* once(body: unknown): AsyncGenerator<unknown> {
  yield body
}

/**
 * Carries out repository load/unload, and reads what belongs to the whole server. The default acts on this process's
 * registry; multi-process serving injects one that reaches every process, so the data plane stays free of any transport.
 */
export interface RepositoryCoordinator {
  load(name: string): Promise<void>
  unload(name: string): Promise<void>
  /** The repository index of every process merged (absent: this process's). */
  index?(): Promise<RepositoryIndexItem[]>
  /** The statistics of every process summed per version (absent: this process's). */
  statistics?(): Promise<VersionStats[]>
}

/** The settings the data plane reads: names, the per-model limits' defaults, and the answer's size bound. */
export type DataPlaneSettings = Pick<ServerSettings, 'server_name' | 'server_version' | 'extensions'> &
  ServerLimits &
  Partial<Pick<ServerSettings, 'max_response_size' | 'max_request_size'>>

export class DataPlane {
  private readonly coordinator: RepositoryCoordinator
  /** max_response_size, else max_request_size: raw output bytes one answer may hold (response-size.ts). */
  private readonly responseLimit: number
  private readonly inflight = new InflightRequests()
  private readonly stop = new StopState()
  /** Readiness held false whatever the models' states (`holdReadiness`). */
  private held = false
  /** With a memory_budget: requests waiting for their version to load. */
  private readonly onDemand?: OnDemandLoads

  constructor(
    private readonly registry: ModelRegistry,
    private readonly settings: DataPlaneSettings,
    private readonly observer?: InferenceObserver,
    coordinator?: RepositoryCoordinator,
    /** Per-version counters (statistics extension); adaptive batching feeds the same object its executions. */
    readonly statistics: InferenceStatistics = new InferenceStatistics(),
    /** With cache_enabled: answers of the models that opt in, served again for the same request (response-cache.ts). */
    private readonly cache?: ResponseCache,
  ) {
    this.responseLimit = settings.max_response_size ?? settings.max_request_size ?? Number.POSITIVE_INFINITY
    this.coordinator = coordinator ?? {load: (name) => registry.load(name), unload: (name) => registry.unload(name)}
    if (registry.memory !== undefined) this.onDemand = new OnDemandLoads(registry, settings)
  }

  // Health

  live(): boolean {
    return true
  }

  /** False as soon as a stop has begun, and while readiness is held, whatever the models' states. */
  ready(): boolean {
    return !this.stop.stopping && !this.held && this.registry.isReady()
  }

  /**
   * Holds readiness false until `releaseReadiness()`: with `--processes N` a process that has loaded is not ready before
   * every other has (each answers the probes it is handed, so one ready process would make the whole server look ready).
   */
  holdReadiness(): void {
    this.held = true
  }

  releaseReadiness(): void {
    this.held = false
  }

  // Stopping

  /** Begins a graceful stop: readiness turns false and new inference and repository requests are refused. */
  beginStop(): void {
    this.stop.begin()
  }

  /** Calls `listener` when a stop begins (readiness watchers); returns the function that stops listening. */
  onStop(listener: () => void): () => void {
    return this.stop.onStop(listener)
  }

  /** Inference requests not answered yet. */
  get inFlight(): number {
    return this.inflight.size
  }

  /** Resolves once every inference request has been answered. */
  drained(): Promise<void> {
    return this.inflight.drained()
  }

  /** Answers every inference in flight with `error` at once (a stop's grace period ran out); returns how many. */
  abortInFlight(error: MlsError): number {
    return this.inflight.abortAll(error)
  }

  /** Answers every inference running on `holder` (a model instance being unloaded) with `error` at once; returns how many. */
  abortRequestsOf(holder: object, error: MlsError): number {
    return this.inflight.abortWhere((scope) => scope.holder === holder, error)
  }

  // Metadata

  serverMetadata(): ServerMetadata {
    return {
      name: this.settings.server_name,
      version: this.settings.server_version || MLS_VERSION,
      extensions: [...new Set([...EXTENSIONS, ...this.settings.extensions])],
    }
  }

  /**
   * True when name/version is READY (with a memory_budget: or not in memory and loadable on the next request); false
   * when it is not, and (as Triton) when the model or version does not exist: readiness is a question, not a lookup.
   */
  modelReady(name: string, version?: string): boolean {
    checkModelName(name, version)
    let entry: ModelEntry
    try {
      entry = this.registry.find(name, version)
    } catch (error) {
      if (error instanceof MlsError && (error.code === 'MODEL_NOT_FOUND' || error.code === 'MODEL_VERSION_NOT_FOUND')) return false
      throw error
    }
    return this.registry.servable(entry)
  }

  /** The model's metadata; with a memory_budget a version not in memory is loaded first (clients ask before inferring). */
  async modelMetadata(name: string, version?: string): Promise<ModelMetadata> {
    checkModelName(name, version)
    const entry = this.registry.find(name, version)
    const instance = this.registry.serving(entry) ?? (await this.inMemory(entry, NO_OPTIONS))
    const {platform, inputs, outputs} = instance.metadata
    const metadata: ModelMetadata = {name: entry.name, versions: this.registry.versions(name), platform, inputs: [...inputs], outputs: [...outputs]}
    if (instance.settings.contentType !== undefined) metadata.parameters = {content_type: instance.settings.contentType}
    return metadata
  }

  /** Triton's model configuration of name/version (model-config.ts); loaded first when not in memory, as metadata is. */
  async modelConfig(name: string, version?: string): Promise<ModelConfig> {
    checkModelName(name, version)
    const entry = this.registry.find(name, version)
    const instance = this.registry.serving(entry) ?? (await this.inMemory(entry, NO_OPTIONS))
    return modelConfig(entry.name, instance, resolveRuntimeName(instance.settings))
  }

  /**
   * Triton's statistics: of every version of every model (no name), of every version of `name`, or of name/version.
   * Read from the counters, so a version not in memory answers without loading; with several processes, the sums of all.
   */
  async modelStatistics(name?: string, version?: string): Promise<{model_stats: VersionStats[]}> {
    let entries: ModelEntry[]
    if (name === undefined || name === '') entries = this.registry.all()
    else {
      checkModelName(name, version)
      entries = version ? [this.registry.find(name, version)] : this.registry.all().filter((entry) => entry.name === name)
      if (entries.length === 0) this.registry.find(name) // throws MODEL_NOT_FOUND
    }
    const counted = new Map<string, VersionStats>()
    for (const stats of (await this.coordinator.statistics?.()) ?? this.statistics.snapshot()) counted.set(`${stats.name}\0${stats.version ?? ''}`, stats)
    const model_stats = entries
      .sort((a, b) => a.name.localeCompare(b.name) || (a.version ?? '').localeCompare(b.version ?? ''))
      .map((entry) => counted.get(`${entry.name}\0${entry.version ?? ''}`) ?? emptyStats(entry.name, entry.version))
    return {model_stats}
  }

  // Inference

  /**
   * Runs one inference request. `body` is a V2 request as the transport decoded it (JSON from REST, converted
   * messages from gRPC; tensor data as values or RawBytes), undefined for an empty body.
   *
   * This is every request's path: one async frame, the request decoded synchronously, one promise around the
   * runtime's work (see RequestScope.race), no per-request strings unless something fails.
   */
  async infer(name: string, version: string | undefined, body: unknown, options: InferOptions = NO_OPTIONS): Promise<InferenceResult> {
    if (options.takenBeforeStop !== true) this.stop.refuseWhileStopping()
    const entry = this.resolve(name, version)
    let instance = this.registry.serving(entry)
    const onDemand = instance === undefined ? this.onDemandFor(entry) : undefined
    if (instance === undefined && onDemand === undefined) instance = this.refusing(entry, () => this.registry.instanceFor(entry))
    this.registry.memory?.residency(entry, onDemand === undefined)
    const counters = this.statistics.of(entry.name, entry.version)
    // The phases of statistics.ts: taken (started), at the runtime's door (queued), decoded, answered by the runtime.
    const started = performance.now()
    let queued = started
    let decoded = started
    let answered = started
    let inferences = 1
    let ok = false
    /** Answered from the response cache: no runtime call, no model execution. */
    let cached = false
    /** The request's key when its model has the response cache on, and the milliseconds spent on the cache. */
    let key: string | undefined
    let cacheMs = 0
    let scope: RequestScope | undefined
    let request: DecodedRequest | undefined
    let result: InferResult | undefined
    try {
      // From here the scope holds the request's place in the model's queue, and gives it back (RequestScope.hold).
      if (onDemand === undefined) {
        scope = admit(entry, instance!, this.settings, options, 'request')
        this.inflight.add(scope)
      } else {
        // Not in memory: the request's time runs while its version loads, then it takes its place as any other.
        scope = openScope(entry, entry.spec.ok ? entry.spec.settings : {}, this.settings, options, 'request')
        this.inflight.add(scope)
        instance = await onDemand.instance(entry, scope, {hold: true})
      }
      queued = performance.now()
      request = decodeRequest(entry, instance!, body, options.source)
      scope.throwIfAborted()
      decoded = performance.now()
      // Triton counts every row of a batching model's request as one inference; a model without batching, the request.
      if (batches(instance!) && request.inputs.length > 0 && request.inputs[0].shape.length > 0) inferences = request.inputs[0].shape[0]
      // A model that opted in to the response cache: the same request answered before is answered again, no runtime call.
      if (this.cache !== undefined && this.cache.covers(instance!)) {
        key = this.cache.key(entry, instance!, request, (body as {outputs?: RequestedOutputs}).outputs)
        result = this.cache.lookup(key)
        cached = result !== undefined
        cacheMs = performance.now() - decoded
      }
      if (result === undefined) {
        let work: Promise<InferResult>
        try {
          work = instance!.runtime.predict(scope.request(request.id, request.parameters, request.inputs, request.outputs))
        } catch (error) {
          work = Promise.reject(error)
        }
        try {
          result = await scope.race(work, true)
          // A result after the client's deadline (the runtime held the thread past it) reaches no one: a timeout.
          if (options.deadline !== undefined && Date.now() >= options.deadline) {
            scope.deadlinePassed()
            scope.throwIfAborted()
          }
        } catch (error) {
          throw inferenceError(entry, 'request', error)
        }
      }
      answered = performance.now()
      const outputs = request.classify === undefined ? result.outputs : classifyOutputs(result.outputs, request.classify, instance!.settings.labels)
      // Before any transport encodes it: an answer past the limit is never built (JSON, binary or protobuf).
      checkResponseSize(entry, outputs, this.responseLimit)
      if (key !== undefined && !cached) {
        const storing = performance.now()
        this.cache!.store(key, entry, instance!, result as CachedAnswer)
        cacheMs += performance.now() - storing
      }
      ok = true
      // Absent fields stay undefined (JSON leaves them out): one object shape for every answer.
      return {model_name: entry.name, model_version: entry.version, id: request.id, parameters: result.parameters, outputs}
    } catch (error) {
      reportFailed(this.observer, entry, error)
      throw error
    } finally {
      if (scope !== undefined) {
        scope.dispose()
        this.inflight.delete(scope)
      }
      const ended = performance.now()
      // Adaptive batching counts its own executions (one per batch); any other model executes once per request.
      if (ok) {
        counters.succeeded(started, queued, decoded, answered, ended, inferences, !batches(instance!) && !cached)
        if (key !== undefined) counters.cacheLookup(cached, cacheMs)
      } else {
        counters.failed(started, ended)
      }
      if (this.observer !== undefined) this.observer.inference(entry.name, entry.version, (ended - started) / 1000, ok)
      if (options.trace !== undefined) {
        const times = ok ? {started, queued, decoded, batched: scope!.batchedAt, answered, ended} : undefined
        options.trace.ran(entry.name, entry.version, times, request?.inputs, result?.outputs)
      }
    }
  }

  /** The entry an inference names; a name or version the repository does not have is counted (without it) and thrown. */
  private resolve(name: string, version: string | undefined): ModelEntry {
    checkModelName(name, version)
    try {
      return this.registry.find(name, version)
    } catch (error) {
      reportUnresolved(this.observer, error)
      throw error
    }
  }

  /** `run`'s value; what it throws (the version not ready, the queue full) is counted as a failure of `entry` by code. */
  private refusing<T>(entry: ModelEntry, run: () => T): T {
    try {
      return run()
    } catch (error) {
      reportFailed(this.observer, entry, error)
      throw error
    }
  }

  /**
   * With a memory_budget, whether name/version is not in memory and loads on the next request: a stream opened to it
   * waits for `bringIn` before it can tell whether the model streams. False for anything a request would refuse.
   */
  loadsFirst(name: string, version?: string): boolean {
    try {
      checkModelName(name, version)
      const entry = this.registry.find(name, version)
      return this.registry.serving(entry, false) === undefined && this.onDemandFor(entry) !== undefined
    } catch {
      return false
    }
  }

  /** Loads name/version into memory if it is not (see loadsFirst), within the call's bounds; rejects as a request would. */
  async bringIn(name: string, version: string | undefined, options: InferOptions = NO_OPTIONS): Promise<void> {
    checkModelName(name, version)
    const entry = this.registry.find(name, version)
    if (this.registry.serving(entry, false) === undefined) await this.inMemory(entry, options)
  }

  /** The instance of `entry`, loading it first when it loads on demand; instanceFor's error otherwise. */
  private async inMemory(entry: ModelEntry, options: InferOptions): Promise<LoadedModel> {
    const onDemand = this.onDemandFor(entry)
    if (onDemand === undefined) return this.registry.instanceFor(entry)
    const scope = openScope(entry, entry.spec.ok ? entry.spec.settings : {}, this.settings, options, 'request')
    try {
      return await onDemand.instance(entry, scope)
    } finally {
      scope.dispose()
    }
  }

  /** With a memory_budget, the loads on demand when `entry` is not in memory but loads on the next request; else undefined. */
  private onDemandFor(entry: ModelEntry): OnDemandLoads | undefined {
    return this.onDemand !== undefined && this.registry.loadsOnDemand(entry) ? this.onDemand : undefined
  }

  /** Whether name/version streams: its runtime has predictStream (a custom runtime's; batching and worker pools do not). */
  streams(name: string, version?: string): boolean {
    checkModelName(name, version)
    const {instance} = this.registry.ready(name, version)
    return typeof instance.runtime.predictStream === 'function'
  }

  /**
   * Runs a stream of requests through the model's predictStream (see infer-stream.ts): each body is checked and
   * decoded as infer() does. The stream holds one place in the model's queue while it runs; it ends at the first
   * error, and when the client goes away or the deadline passes.
   */
  async *inferStream(
    name: string,
    version: string | undefined,
    bodies: AsyncIterable<unknown>,
    options: InferOptions = NO_OPTIONS,
    kind: AdmissionKind = 'stream',
  ): AsyncGenerator<InferenceResult> {
    if (options.takenBeforeStop !== true) this.stop.refuseWhileStopping()
    const entry = this.resolve(name, version)
    const {instance, stream, scope} = this.refusing(entry, () => {
      const instance = this.registry.instanceFor(entry)
      const stream = instance.runtime.predictStream?.bind(instance.runtime)
      if (stream === undefined) throw new MlsError('INVALID_REQUEST', `${modelLabel(entry)} does not stream (its runtime has no predictStream)`)
      return {instance, stream, scope: admit(entry, instance, this.settings, options, kind)}
    })
    this.inflight.add(scope)
    try {
      yield* streamAnswers(entry, instance, stream, scope, bodies, this.observer, {responseLimit: this.responseLimit, source: options.source})
    } finally {
      scope.dispose()
      this.inflight.delete(scope)
    }
  }

  /**
   * One request answered as a stream of answers (REST infer_stream): through the model's predictStream when its
   * runtime streams, the whole stream bounded by infer_timeout as one request is; otherwise infer()'s one answer.
   * Anything wrong before the runtime's first result (unknown model, bad input, queue full) is thrown by the first
   * next(), before any answer.
   */
  async *inferAsStream(name: string, version: string | undefined, body: unknown, options: InferOptions = NO_OPTIONS): AsyncGenerator<InferenceResult> {
    // With a memory_budget the version may have to load before it can be told whether it streams.
    if (this.loadsFirst(name, version)) await this.bringIn(name, version, options)
    let streams = false
    try {
      streams = this.streams(name, version)
    } catch {
      // infer() reports what is wrong, with the same words as for any request.
    }
    if (!streams) {
      yield await this.infer(name, version, body, options)
      return
    }
    yield* this.inferStream(name, version, once(body), options, 'request')
  }

  // Repository

  /** This process's repository index (`serverIndex` is the whole server's). */
  repositoryIndex(body: unknown): RepositoryIndexItem[] {
    const request = parseBody(repositoryIndexRequestSchema, body, {required: false})
    return this.registry.index(request?.ready)
  }

  /** The repository index of the whole server: with several processes, every process's merged (cluster/merge-index.ts). */
  async serverIndex(body: unknown): Promise<RepositoryIndexItem[]> {
    const request = parseBody(repositoryIndexRequestSchema, body, {required: false})
    if (this.coordinator.index === undefined) return this.registry.index(request?.ready)
    const ready = request?.ready
    return (await this.coordinator.index()).filter((item) => ready === undefined || (item.state === 'READY') === ready)
  }

  /** `parameters`: the load request's (Triton's `config` and `file:` ones are refused, see load-parameters.ts). */
  async loadModel(name: string, parameters?: unknown): Promise<void> {
    this.stop.refuseWhileStopping()
    checkModelName(name)
    checkLoadParameters(name, parameters)
    await this.coordinator.load(name)
  }

  async unloadModel(name: string): Promise<void> {
    this.stop.refuseWhileStopping()
    checkModelName(name)
    await this.coordinator.unload(name)
  }
}
