/** `onnx`: any .onnx graph on onnxruntime (CPU). Metadata comes from the graph; every tensor output is returned by default. */
import type {InferRequest, InferResult} from '../../protocol/types.js'
import type {ModelSettings} from '../../settings/model-settings.js'
import {findModelFile} from '../find-model-file.js'
import type {Runtime, RuntimeMetadata} from '../runtime.js'
import type {OnnxSession} from './onnx-session.js'
import {openOnnxSession} from './open-session.js'

export const ONNX_FILES = {extensions: ['.onnx'], preferred: ['model.onnx'], what: 'an ONNX model (model.onnx or *.onnx)'}

export class OnnxRuntime implements Runtime {
  private session?: OnnxSession

  constructor(private readonly settings: ModelSettings) {}

  async load(): Promise<void> {
    this.session = await openOnnxSession(findModelFile(this.settings, ONNX_FILES), this.settings.extra)
  }

  metadata(): RuntimeMetadata {
    const session = this.loaded()
    return {platform: 'onnxruntime_onnx', inputs: session.inputs, outputs: session.outputs}
  }

  async predict(request: InferRequest): Promise<InferResult> {
    const session = this.loaded()
    const names = request.outputs ?? session.outputs.map((output) => output.name)
    return {outputs: await session.run(request.inputs, names)}
  }

  async unload(): Promise<void> {
    await this.session?.release()
    this.session = undefined
  }

  private loaded(): OnnxSession {
    if (this.session === undefined) throw new Error('the ONNX session is not loaded')
    return this.session
  }
}
