/**
 * BaseRuntime: a base class for runtimes, as MLServer's MLModel is. It keeps the context (settings, metrics, logger),
 * declares the model-settings.json inputs and outputs as its metadata, and decodes requests and encodes responses with
 * the model's content-type defaults. A subclass implements predict(), and load() / unload() when it holds resources.
 */
import {decodeRequest, type DecodedInputs} from '../../codecs/decode-request.js'
import {encodeResponse} from '../../codecs/encode-response.js'
import type {InferRequest, InferResult} from '../../protocol/types.js'
import type {ModelSettings} from '../../settings/model-settings.js'
import type {Runtime, RuntimeContext, RuntimeLogger, RuntimeMetadata, RuntimeMetrics} from '../runtime.js'

export abstract class BaseRuntime implements Runtime {
  /** The model's model-settings.json, parsed. */
  readonly settings: ModelSettings
  /** Custom metrics, labelled with this model's name and version. */
  readonly metrics: RuntimeMetrics
  readonly logger: RuntimeLogger

  constructor(context: RuntimeContext) {
    this.settings = context.settings
    this.metrics = context.metrics
    this.logger = context.logger
  }

  /** The model's name. */
  get name(): string {
    return this.settings.name
  }

  /** The model's version (parameters.version), if it has one. */
  get version(): string | undefined {
    return this.settings.version
  }

  /** Prepares inference (read weights, warm up). Throwing leaves the model UNAVAILABLE with the message as its reason. */
  async load(): Promise<void> {}

  /** The inputs and outputs model-settings.json declares; platform "custom" unless it sets one. Override to declare your own. */
  metadata(): RuntimeMetadata {
    return {platform: this.settings.platform || 'custom', inputs: this.settings.inputs, outputs: this.settings.outputs}
  }

  abstract predict(request: InferRequest): Promise<InferResult>

  /** Frees what load() took; called once no request is in flight. */
  async unload(): Promise<void> {}

  /** The request as values, by content type, with this model's defaults (see decodeRequest). */
  decodeRequest<T = DecodedInputs>(request: InferRequest): T {
    return decodeRequest<T>(request, this.settings)
  }

  /** A value as a result, by content type, with this model's declared outputs (see encodeResponse). */
  encodeResponse(value: unknown): InferResult {
    return encodeResponse(value, this.settings)
  }
}
