/**
 * The data plane: every Open Inference Protocol operation, free of any transport. REST and gRPC translate to and
 * from these calls; each validates its input fully before a runtime sees it and throws MlsError on failure.
 */
import {randomUUID} from 'node:crypto'
import {MlsError, RETRY_AFTER_SECONDS} from '../errors.js'
import {inferenceRequestSchema, repositoryIndexRequestSchema} from '../protocol/schemas.js'
import type {
  InferenceResult,
  ModelMetadata,
  RepositoryIndexItem,
  ServerMetadata,
  Tensor,
} from '../protocol/types.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import type {ModelRegistry} from '../repository/model-registry.js'
import type {ServerSettings} from '../settings/server-settings.js'
import {MLS_VERSION} from '../version.js'
import {checkContentTypes} from './check-content-types.js'
import {decodeTensorData} from './decode-input.js'
import {InflightRequests} from './inflight.js'
import {RequestScope, type ClientWatch} from './request-scope.js'
import {matchInputs} from './match-inputs.js'
import {parseBody} from './parse-body.js'

export const EXTENSIONS = ['model_repository', 'binary_tensor_data'] as const

/** Told of every inference on a known model (metrics); the data plane itself knows no metrics library. */
export interface InferenceObserver {
  inference(model: string, version: string | undefined, seconds: number, ok: boolean): void
}

/** What a transport knows about one inference call beyond its body. */
export interface InferOptions {
  /** Tells when the client goes away (REST connection closed, gRPC call cancelled): the request is then given up. */
  readonly watchClient?: ClientWatch
  /** When the client stops waiting (gRPC deadline), epoch milliseconds; the request times out then at the latest. */
  readonly deadline?: number
}

/** The server-wide limits; a model's model-settings.json may override each. */
export type ServerLimits = Partial<Pick<ServerSettings, 'max_queue_size' | 'infer_timeout'>>

/**
 * Carries out repository load/unload. The default acts on this process's registry; multi-process serving injects one
 * that reaches every process, so the data plane stays free of any transport.
 */
export interface RepositoryCoordinator {
  load(name: string): Promise<void>
  unload(name: string): Promise<void>
}

export class DataPlane {
  private readonly coordinator: RepositoryCoordinator
  private readonly inflight = new InflightRequests()
  private stopping = false
  private readonly stopListeners = new Set<() => void>()

  constructor(
    private readonly registry: ModelRegistry,
    private readonly settings: Pick<ServerSettings, 'server_name' | 'server_version' | 'extensions'> & ServerLimits,
    private readonly observer?: InferenceObserver,
    coordinator?: RepositoryCoordinator,
  ) {
    this.coordinator = coordinator ?? {load: (name) => registry.load(name), unload: (name) => registry.unload(name)}
  }

  live(): boolean {
    return true
  }

  /** False as soon as a stop has begun, whatever the models' states. */
  ready(): boolean {
    return !this.stopping && this.registry.isReady()
  }

  /** Begins a graceful stop: readiness turns false and new inference and repository requests are refused. */
  beginStop(): void {
    if (this.stopping) return
    this.stopping = true
    for (const listener of [...this.stopListeners]) listener()
  }

  /** Calls `listener` when a stop begins (readiness watchers); returns the function that stops listening. */
  onStop(listener: () => void): () => void {
    this.stopListeners.add(listener)
    return () => void this.stopListeners.delete(listener)
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

  private refuseWhileStopping(): void {
    if (this.stopping) throw new MlsError('SERVER_STOPPING', 'the server is shutting down and takes no new requests')
  }

  serverMetadata(): ServerMetadata {
    return {
      name: this.settings.server_name,
      version: this.settings.server_version || MLS_VERSION,
      extensions: [...new Set([...EXTENSIONS, ...this.settings.extensions])],
    }
  }

  /** True when name/version is READY; throws when the model or version does not exist. */
  modelReady(name: string, version?: string): boolean {
    return this.registry.find(name, version).state === 'READY'
  }

  modelMetadata(name: string, version?: string): ModelMetadata {
    const {entry, instance} = this.registry.ready(name, version)
    const {platform, inputs, outputs} = instance.metadata
    const metadata: ModelMetadata = {name: entry.name, versions: this.registry.versions(name), platform, inputs: [...inputs], outputs: [...outputs]}
    if (instance.settings.contentType !== undefined) metadata.parameters = {content_type: instance.settings.contentType}
    return metadata
  }

  /**
   * Runs one inference request. `body` is a V2 request as the transport decoded it (JSON from REST, converted
   * messages from gRPC; tensor data as values or RawBytes), undefined for an empty body.
   */
  async infer(name: string, version: string | undefined, body: unknown, options: InferOptions = {}): Promise<InferenceResult> {
    this.refuseWhileStopping()
    const {entry, instance} = this.registry.ready(name, version)
    if (this.observer === undefined) return this.run(entry, instance, body, options)
    const started = performance.now()
    let ok = false
    try {
      const result = await this.run(entry, instance, body, options)
      ok = true
      return result
    } finally {
      this.observer.inference(entry.name, entry.version, (performance.now() - started) / 1000, ok)
    }
  }

  /** Refuses the request when the model holds max_queue_size requests already; otherwise opens its scope (timeout, client, stop). */
  private admit(entry: ModelEntry, instance: LoadedModel, options: InferOptions): RequestScope {
    const label = entry.version === undefined ? `model "${entry.name}"` : `model "${entry.name}" version "${entry.version}"`
    const bound = instance.settings.maxQueueSize ?? this.settings.max_queue_size ?? 0
    if (bound > 0 && instance.inFlight >= bound) {
      throw new MlsError('QUEUE_FULL', `${label} has ${instance.inFlight} request(s) waiting or running (max_queue_size ${bound}); retry in ${RETRY_AFTER_SECONDS} s`)
    }
    const seconds = instance.settings.inferTimeout ?? this.settings.infer_timeout ?? 0
    let timeoutMs = seconds > 0 ? seconds * 1000 : undefined
    let timeoutLabel = `infer_timeout (${seconds} s)`
    if (options.deadline !== undefined) {
      const left = Math.max(0, options.deadline - Date.now())
      if (timeoutMs === undefined || left < timeoutMs) {
        timeoutMs = Math.max(left, 1)
        timeoutLabel = `the call's deadline (${left / 1000} s)`
      }
    }
    return new RequestScope({watchClient: options.watchClient, timeoutMs, timeoutLabel, label})
  }

  private async run(entry: ModelEntry, instance: LoadedModel, body: unknown, options: InferOptions): Promise<InferenceResult> {
    const scope = this.admit(entry, instance, options)
    this.inflight.add(scope)
    try {
      return await this.runScoped(entry, instance, body, scope)
    } finally {
      scope.dispose()
      this.inflight.delete(scope)
    }
  }

  private async runScoped(entry: ModelEntry, instance: LoadedModel, body: unknown, scope: RequestScope): Promise<InferenceResult> {
    const request = parseBody(inferenceRequestSchema, body, {required: true})
    const {metadata} = instance

    const bound = matchInputs(request.inputs, metadata.inputs)
    const decoded = bound.map(({input, target}) => {
      const datatype = target?.datatype ?? input.datatype
      const tensor: Tensor = {name: target?.name ?? input.name, datatype, shape: input.shape, data: decodeTensorData(input, datatype)}
      return {tensor: input.parameters === undefined ? tensor : {...tensor, parameters: input.parameters}, target}
    })
    checkContentTypes({parameters: request.parameters, inputs: decoded, checkKnown: instance.builtinRuntime})
    const inputs = decoded.map((d) => d.tensor)

    let outputs: string[] | undefined
    if (request.outputs !== undefined && request.outputs.length > 0) {
      outputs = request.outputs.map((o) => o.name)
      const known = new Set(metadata.outputs.map((o) => o.name))
      const unknown = outputs.filter((o) => !known.has(o))
      if (unknown.length > 0 && known.size > 0) {
        throw new MlsError(
          'OUTPUT_NOT_FOUND',
          `model "${entry.name}" has no output ${unknown.map((o) => `"${o}"`).join(', ')}; its outputs are ${[...known].map((o) => `"${o}"`).join(', ')}`,
        )
      }
    }

    const id = request.id ?? randomUUID()
    scope.throwIfAborted()
    // The request holds its place in the model's queue until the runtime settles, even once its client has an answer
    // (timeout, disconnect): a hung runtime then fills max_queue_size and further requests are refused at once, instead
    // of piling up work it never finishes. Work still waiting (a batch, a worker) is dropped when the signal fires.
    instance.acquire()
    let work: Promise<Awaited<ReturnType<typeof instance.runtime.predict>>>
    try {
      work = instance.runtime.predict(scope.attach({id, parameters: request.parameters, inputs, outputs}))
    } catch (error) {
      work = Promise.reject(error)
    }
    work.then(
      () => instance.release(),
      () => instance.release(),
    )
    let result
    try {
      result = await scope.race(work)
    } catch (error) {
      if (error instanceof MlsError) throw error
      throw new MlsError('INFERENCE_FAILED', `model "${entry.name}" could not run this request: ${(error as Error).message}`, {cause: error})
    }

    return {
      model_name: entry.name,
      ...(entry.version === undefined ? {} : {model_version: entry.version}),
      id,
      ...(result.parameters === undefined ? {} : {parameters: result.parameters}),
      outputs: result.outputs,
    }
  }

  repositoryIndex(body: unknown): RepositoryIndexItem[] {
    const request = parseBody(repositoryIndexRequestSchema, body, {required: false})
    return this.registry.index(request?.ready)
  }

  async loadModel(name: string): Promise<void> {
    this.refuseWhileStopping()
    await this.coordinator.load(name)
  }

  async unloadModel(name: string): Promise<void> {
    this.refuseWhileStopping()
    await this.coordinator.unload(name)
  }
}
