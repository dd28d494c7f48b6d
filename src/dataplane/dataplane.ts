/**
 * The data plane: every Open Inference Protocol operation, free of any transport. REST and gRPC translate to and
 * from these calls; each validates its input fully before a runtime sees it and throws MlsError on failure.
 */
import {randomUUID} from 'node:crypto'
import {MlsError} from '../errors.js'
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
import {isBuiltinRuntime} from '../runtimes/registry.js'
import {checkContentTypes} from './check-content-types.js'
import {decodeTensorData} from './decode-input.js'
import {matchInputs} from './match-inputs.js'
import {parseBody} from './parse-body.js'

export const EXTENSIONS = ['model_repository', 'binary_tensor_data'] as const

/** Told of every inference on a known model (metrics); the data plane itself knows no metrics library. */
export interface InferenceObserver {
  inference(model: string, version: string | undefined, seconds: number, ok: boolean): void
}

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

  constructor(
    private readonly registry: ModelRegistry,
    private readonly settings: Pick<ServerSettings, 'server_name' | 'server_version' | 'extensions'>,
    private readonly observer?: InferenceObserver,
    coordinator?: RepositoryCoordinator,
  ) {
    this.coordinator = coordinator ?? {load: (name) => registry.load(name), unload: (name) => registry.unload(name)}
  }

  live(): boolean {
    return true
  }

  ready(): boolean {
    return this.registry.isReady()
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
  async infer(name: string, version: string | undefined, body: unknown): Promise<InferenceResult> {
    const {entry, instance} = this.registry.ready(name, version)
    if (this.observer === undefined) return this.run(entry, instance, body)
    const started = performance.now()
    let ok = false
    try {
      const result = await this.run(entry, instance, body)
      ok = true
      return result
    } finally {
      this.observer.inference(entry.name, entry.version, (performance.now() - started) / 1000, ok)
    }
  }

  private async run(entry: ModelEntry, instance: LoadedModel, body: unknown): Promise<InferenceResult> {
    const request = parseBody(inferenceRequestSchema, body, {required: true})
    const {metadata} = instance

    const bound = matchInputs(request.inputs, metadata.inputs)
    const decoded = bound.map(({input, target}) => {
      const datatype = target?.datatype ?? input.datatype
      const tensor: Tensor = {name: target?.name ?? input.name, datatype, shape: input.shape, data: decodeTensorData(input, datatype)}
      return {tensor: input.parameters === undefined ? tensor : {...tensor, parameters: input.parameters}, target}
    })
    checkContentTypes({parameters: request.parameters, inputs: decoded, checkKnown: isBuiltinRuntime(instance.settings)})
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
    instance.acquire()
    let result
    try {
      result = await instance.runtime.predict({id, parameters: request.parameters, inputs, outputs})
    } catch (error) {
      if (error instanceof MlsError) throw error
      throw new MlsError('INFERENCE_FAILED', `model "${entry.name}" could not run this request: ${(error as Error).message}`, {cause: error})
    } finally {
      instance.release()
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
    await this.coordinator.load(name)
  }

  async unloadModel(name: string): Promise<void> {
    await this.coordinator.unload(name)
  }
}
