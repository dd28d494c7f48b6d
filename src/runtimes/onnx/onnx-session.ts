/** One loaded ONNX graph: session creation, metadata and a run by output names. Shared by the onnx and sklearn runtimes. */
import * as ort from 'onnxruntime-node'
import type {Tensor, TensorMetadata} from '../../protocol/types.js'
import {fromOrtTensor, metadataFromOrt, toOrtTensor} from './ort-types.js'
import {sessionOptions} from './session-options.js'

export class OnnxSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputs: readonly TensorMetadata[],
    readonly outputs: readonly TensorMetadata[],
  ) {}

  static async open(file: string, extra: Readonly<Record<string, unknown>>): Promise<OnnxSession> {
    const options = sessionOptions(extra)
    let session: ort.InferenceSession
    try {
      session = await ort.InferenceSession.create(file, options)
    } catch (error) {
      throw new Error(`cannot load ONNX model ${file}: ${(error as Error).message}`)
    }
    const outputs = metadataFromOrt(session.outputMetadata)
    const unusable = session.outputMetadata.filter((value) => !value.isTensor).map((value) => value.name)
    if (outputs.length === 0) {
      await session.release()
      throw new Error(
        `cannot serve ONNX model ${file}: no tensor outputs${unusable.length ? ` (${unusable.join(', ')} are sequences or maps, e.g. a ZipMap: export without ZipMap)` : ''}`,
      )
    }
    return new OnnxSession(session, metadataFromOrt(session.inputMetadata), outputs)
  }

  /** Runs the graph; `outputNames` must be names of tensor outputs. */
  async run(inputs: readonly Tensor[], outputNames: readonly string[]): Promise<Tensor[]> {
    const feeds: Record<string, ort.Tensor> = {}
    for (const tensor of inputs) feeds[tensor.name] = toOrtTensor(tensor)
    const results = await this.session.run(feeds, outputNames as string[])
    return outputNames.map((name) => fromOrtTensor(name, results[name]))
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}
