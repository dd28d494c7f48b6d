/**
 * `sklearn` (alias `mlserver_sklearn.SKLearnModel`): a scikit-learn model exported to ONNX, answering as MLServer's
 * sklearn runtime does. `predict` is the graph's label output as [N, 1]; `predict_proba` is the probability output
 * (skl2onnx names it `probabilities`); any other graph output can be requested by its own name.
 * Pickles are never loaded: unpickling runs arbitrary code.
 */
import type {InferRequest, InferResult, Tensor, TensorMetadata} from '../../protocol/types.js'
import type {ModelSettings} from '../../settings/model-settings.js'
import {filesWithExtensions, findModelFile} from '../find-model-file.js'
import {ONNX_FILES} from '../onnx/onnx-runtime.js'
import type {OnnxSession} from '../onnx/onnx-session.js'
import {openOnnxSession} from '../onnx/open-session.js'
import type {Runtime, RuntimeMetadata} from '../runtime.js'

const PICKLE_EXTENSIONS = ['.joblib', '.pkl', '.pickle']
const LABEL_NAMES = ['label', 'output_label']
const PROBABILITY_NAMES = ['probabilities', 'output_probability']

export const PICKLE_REFUSAL =
  'mls never loads pickles (model.joblib / .pkl / .pickle): unpickling runs arbitrary code. ' +
  'Export the model to ONNX beside it, e.g. with skl2onnx: ' +
  "to_onnx(model, X[:1].astype(numpy.float32), options={'zipmap': False}) written to model.onnx"

/** The graph output names behind MLServer's names. */
interface OutputMap {
  readonly predict: string
  readonly predictProba?: string
}

function mapOutputs(outputs: readonly TensorMetadata[]): OutputMap {
  const label = outputs.find((o) => LABEL_NAMES.includes(o.name)) ?? outputs[0]
  const proba = outputs.find((o) => PROBABILITY_NAMES.includes(o.name))
  return {predict: label.name, predictProba: proba?.name}
}

/** The label output as `predict`, shaped [N, 1] as MLServer answers. */
function asPredict(tensor: Tensor): Tensor {
  const shape = tensor.shape.length === 1 ? [tensor.shape[0], 1] : tensor.shape
  return {name: 'predict', datatype: tensor.datatype, shape, data: tensor.data}
}

export class SklearnRuntime implements Runtime {
  private session?: OnnxSession
  private map?: OutputMap

  constructor(private readonly settings: ModelSettings) {}

  async load(): Promise<void> {
    const uriIsPickle = this.settings.uri !== undefined && PICKLE_EXTENSIONS.some((ext) => this.settings.uri!.toLowerCase().endsWith(ext))
    const onnxFiles = filesWithExtensions(this.settings.folder, ONNX_FILES.extensions, ONNX_FILES.preferred)
    let file: string
    if (uriIsPickle) {
      if (onnxFiles.length === 0) throw new Error(`${this.settings.uri}: ${PICKLE_REFUSAL}`)
      file = onnxFiles[0] // the ONNX export beside the pickle is served
    } else {
      try {
        file = findModelFile(this.settings, ONNX_FILES)
      } catch (error) {
        const pickles = filesWithExtensions(this.settings.uri ?? this.settings.folder, PICKLE_EXTENSIONS)
        if (pickles.length > 0) throw new Error(`${pickles[0]}: ${PICKLE_REFUSAL}`)
        throw error
      }
    }
    this.session = await openOnnxSession(file, this.settings.extra)
    this.map = mapOutputs(this.session.outputs)
  }

  metadata(): RuntimeMetadata {
    const {session, map} = this.loaded()
    const byName = new Map(session.outputs.map((o) => [o.name, o]))
    const label = byName.get(map.predict)!
    const outputs: TensorMetadata[] = [{name: 'predict', datatype: label.datatype, shape: [label.shape[0] ?? -1, 1]}]
    if (map.predictProba !== undefined) outputs.push({...byName.get(map.predictProba)!, name: 'predict_proba'})
    outputs.push(...session.outputs)
    return {platform: 'sklearn', inputs: session.inputs, outputs}
  }

  async predict(request: InferRequest): Promise<InferResult> {
    const {session, map} = this.loaded()
    if (request.outputs === undefined) {
      // The default answer, MLServer's: `predict` alone.
      const [label] = await session.run(request.inputs, [map.predict])
      return {outputs: [asPredict(label)]}
    }
    const wanted = request.outputs
    const graphNames = wanted.map((name) => (name === 'predict' ? map.predict : name === 'predict_proba' ? map.predictProba! : name))
    const unique = [...new Set(graphNames)]
    const results = await session.run(request.inputs, unique)
    const byGraphName = new Map(results.map((t) => [t.name, t]))
    const outputs = wanted.map((name, i): Tensor => {
      const tensor = byGraphName.get(graphNames[i])!
      return name === 'predict' ? asPredict(tensor) : {...tensor, name}
    })
    return {outputs}
  }

  async unload(): Promise<void> {
    await this.session?.release()
    this.session = undefined
  }

  private loaded(): {session: OnnxSession; map: OutputMap} {
    if (this.session === undefined || this.map === undefined) throw new Error('the sklearn model is not loaded')
    return {session: this.session, map: this.map}
  }
}
