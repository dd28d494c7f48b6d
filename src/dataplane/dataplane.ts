/**
 * The data plane: every Open Inference Protocol operation, free of any transport. REST and gRPC translate to and
 * from these calls; each validates its input fully before a runtime sees it and throws MlsError on failure.
 */
import {randomUUID} from 'node:crypto'
import {MlsError, RETRY_AFTER_SECONDS} from '../errors.js'
import {inferenceRequestSchema, repositoryIndexRequestSchema} from '../protocol/schemas.js'
import type {
  InferenceResult,
  InferRequest,
  InferResult,
  ModelMetadata,
  Parameters,
  RepositoryIndexItem,
  ServerMetadata,
  Tensor,
  TensorMetadata,
} from '../protocol/types.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import type {ModelRegistry} from '../repository/model-registry.js'
import type {ServerSettings} from '../settings/server-settings.js'
import {MLS_VERSION} from '../version.js'
import {checkContentTypes} from './check-content-types.js'
import {decodeTensorData} from './decode-input.js'
import {InflightRequests} from './inflight.js'
import {modelLabel} from '../repository/model-label.js'
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

const NO_OPTIONS: InferOptions = {}

/** What a runtime threw, as the client gets it: an MlsError as it is, anything else as INFERENCE_FAILED. */
function inferenceError(entry: ModelEntry, what: 'request' | 'stream', error: unknown): MlsError {
  if (error instanceof MlsError) return error
  return new MlsError('INFERENCE_FAILED', `model "${entry.name}" could not run this ${what}: ${(error as Error).message}`, {cause: error})
}

/** A request as the runtime will get it, before its abort state is attached. */
interface DecodedRequest {
  readonly id: string
  readonly parameters?: Parameters
  readonly inputs: Tensor[]
  readonly outputs?: string[]
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

  /** Answers every inference running on `holder` (a model instance being unloaded) with `error` at once; returns how many. */
  abortRequestsOf(holder: object, error: MlsError): number {
    return this.inflight.abortWhere((scope) => scope.holder === holder, error)
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
   *
   * This is every request's path: one async frame, the request decoded synchronously, one promise around the
   * runtime's work (see RequestScope.race), no per-request strings unless something fails.
   */
  async infer(name: string, version: string | undefined, body: unknown, options: InferOptions = NO_OPTIONS): Promise<InferenceResult> {
    this.refuseWhileStopping()
    const {entry, instance} = this.registry.ready(name, version)
    const started = this.observer === undefined ? 0 : performance.now()
    let ok = false
    let scope: RequestScope | undefined
    try {
      scope = this.admit(entry, instance, options)
      this.inflight.add(scope)
      const request = this.decode(entry, instance, body)
      scope.throwIfAborted()
      // The request holds its place in the model's queue until the runtime settles, even once its client has an
      // answer (timeout, disconnect): a hung runtime then fills max_queue_size and further requests are refused at
      // once, instead of piling up work it never finishes. Work still waiting (a batch, a worker) is dropped when the
      // scope is aborted.
      instance.acquire()
      let work: Promise<InferResult>
      try {
        work = instance.runtime.predict(scope.request(request.id, request.parameters, request.inputs, request.outputs))
      } catch (error) {
        work = Promise.reject(error)
      }
      let result: InferResult
      try {
        result = await scope.race(work, instance)
      } catch (error) {
        throw inferenceError(entry, 'request', error)
      }
      ok = true
      // Absent fields stay undefined (JSON leaves them out): one object shape for every answer.
      return {model_name: entry.name, model_version: entry.version, id: request.id, parameters: result.parameters, outputs: result.outputs}
    } finally {
      if (scope !== undefined) {
        scope.dispose()
        this.inflight.delete(scope)
      }
      if (this.observer !== undefined) this.observer.inference(entry.name, entry.version, (performance.now() - started) / 1000, ok)
    }
  }

  /** Whether name/version streams: its runtime has predictStream (a custom runtime's; batching and worker pools do not). */
  streams(name: string, version?: string): boolean {
    const {instance} = this.registry.ready(name, version)
    return typeof instance.runtime.predictStream === 'function'
  }

  /**
   * Runs a stream of requests through the model's predictStream (MLServer's predict_stream): each body is checked and
   * decoded as infer() does, as the runtime reads it; each result the runtime yields is an answer, with the id of the
   * request read last. The stream holds one place in the model's queue while it runs; it ends at the first error, and
   * when the client goes away or the deadline passes. Each answer counts as one inference in the metrics.
   */
  async *inferStream(name: string, version: string | undefined, bodies: AsyncIterable<unknown>, options: InferOptions = NO_OPTIONS): AsyncGenerator<InferenceResult> {
    this.refuseWhileStopping()
    const {entry, instance} = this.registry.ready(name, version)
    const stream = instance.runtime.predictStream?.bind(instance.runtime)
    if (stream === undefined) throw new MlsError('INVALID_REQUEST', `${modelLabel(entry)} does not stream (its runtime has no predictStream)`)
    const scope = this.admit(entry, instance, {watchClient: options.watchClient, deadline: options.deadline}, false)
    this.inflight.add(scope)
    instance.acquire()
    scope.holder = instance // an unload that runs out of grace ends the stream too
    let lastId: string | undefined
    const dataplane = this
    async function* requests(): AsyncGenerator<InferRequest> {
      const source = bodies[Symbol.asyncIterator]()
      for (;;) {
        // Waiting for the client's next message ends as soon as the scope does (client gone, deadline, stop).
        const next = await scope.race(source.next())
        if (next.done === true) return
        const request = dataplane.decode(entry, instance, next.value)
        lastId = request.id
        yield scope.request(request.id, request.parameters, request.inputs, request.outputs)
      }
    }
    let started = performance.now()
    try {
      for await (const result of stream(requests())) {
        scope.throwIfAborted()
        this.observer?.inference(entry.name, entry.version, (performance.now() - started) / 1000, true)
        started = performance.now()
        yield {model_name: entry.name, model_version: entry.version, id: lastId ?? randomUUID(), parameters: result.parameters, outputs: result.outputs}
      }
      scope.throwIfAborted()
    } catch (error) {
      this.observer?.inference(entry.name, entry.version, (performance.now() - started) / 1000, false)
      throw inferenceError(entry, 'stream', error)
    } finally {
      instance.release()
      scope.dispose()
      this.inflight.delete(scope)
    }
  }

  /** Refuses the request when the model holds max_queue_size requests already; otherwise opens its scope (timeout, client, stop). */
  private admit(entry: ModelEntry, instance: LoadedModel, options: InferOptions, inferTimeout = true): RequestScope {
    const bound = instance.settings.maxQueueSize ?? this.settings.max_queue_size ?? 0
    if (bound > 0 && instance.inFlight >= bound) {
      throw new MlsError('QUEUE_FULL', `${modelLabel(entry)} has ${instance.inFlight} request(s) waiting or running (max_queue_size ${bound}); retry in ${RETRY_AFTER_SECONDS} s`)
    }
    // infer_timeout bounds one inference; a stream (inferStream) lasts as long as its client sends.
    const seconds = inferTimeout ? (instance.settings.inferTimeout ?? this.settings.infer_timeout ?? 0) : 0
    let timeoutMs = seconds > 0 ? seconds * 1000 : undefined
    let timeoutLabel: string | undefined
    if (options.deadline !== undefined) {
      const left = Math.max(0, options.deadline - Date.now())
      if (timeoutMs === undefined || left < timeoutMs) {
        timeoutMs = Math.max(left, 1)
        timeoutLabel = `the call's deadline (${left / 1000} s)`
      }
    }
    if (timeoutMs !== undefined && timeoutLabel === undefined) timeoutLabel = `infer_timeout (${seconds} s)`
    return new RequestScope(entry, options.watchClient, timeoutMs, timeoutLabel)
  }

  /** The body checked against the schema and the model's inputs and outputs, tensors decoded; throws MlsError. */
  private decode(entry: ModelEntry, instance: LoadedModel, body: unknown): DecodedRequest {
    const request = parseBody(inferenceRequestSchema, body, {required: true})
    const {metadata} = instance

    const bound = matchInputs(request.inputs, metadata.inputs)
    const inputs: Tensor[] = new Array(bound.length)
    const targets: Array<TensorMetadata | undefined> = new Array(bound.length)
    for (let i = 0; i < bound.length; i++) {
      const {input, target} = bound[i]
      const datatype = target?.datatype ?? input.datatype
      const data = decodeTensorData(input, datatype)
      const name = target?.name ?? input.name
      inputs[i] = input.parameters === undefined ? {name, datatype, shape: input.shape, data} : {name, datatype, shape: input.shape, data, parameters: input.parameters}
      targets[i] = target
    }
    checkContentTypes({parameters: request.parameters, inputs, targets, checkKnown: instance.builtinRuntime})

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
    return {id: request.id ?? randomUUID(), parameters: request.parameters, inputs, outputs}
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
