/**
 * `xgboost` (alias `mlserver_xgboost.XGBoostModel`): native XGBoost JSON evaluated by our own tree walker, answering
 * as MLServer's xgboost runtime (UBJSON `model.ubj` too): `predict` is FP32 [N, 1] (the probability for binary:logistic), [N, K] for
 * multi:softprob; `predict_proba` for classifiers.
 */
import {readFile} from 'node:fs/promises'
import type {InferRequest, InferResult, Tensor, TensorMetadata} from '../../protocol/types.js'
import type {ModelSettings} from '../../settings/model-settings.js'
import {findModelFile} from '../find-model-file.js'
import type {Runtime, RuntimeMetadata} from '../runtime.js'
import {decodeUbjson} from './ubjson.js'
import {parseXGBoostModel, predictRows, type XGBoostModel} from './xgboost-model.js'

export const XGBOOST_FILES = {
  extensions: ['.json', '.ubj'],
  preferred: ['model.json', 'model.bst.json', 'model.ubj'],
  exclude: /^(model-settings|settings|test-set.*)\.json$/,
  what: 'an XGBoost model (model.json or model.ubj)',
}

export class XGBoostRuntime implements Runtime {
  private model?: XGBoostModel

  constructor(private readonly settings: ModelSettings) {}

  async load(): Promise<void> {
    const file = findModelFile(this.settings, XGBOOST_FILES)
    const ubj = file.toLowerCase().endsWith('.ubj')
    let json: unknown
    try {
      const bytes = await readFile(file)
      json = ubj ? decodeUbjson(bytes) : JSON.parse(bytes.toString('utf8'))
    } catch (error) {
      throw new Error(`${file}: ${ubj ? '' : 'not valid JSON: '}${(error as Error).message}`)
    }
    try {
      this.model = parseXGBoostModel(json)
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`)
    }
  }

  /** The forest's arrays and a little for the objects around them: what stays once the file's parse is collected. */
  memoryBytes(): number {
    const {forest} = this.loaded()
    let bytes = 1024
    for (const array of Object.values(forest)) if (ArrayBuffer.isView(array)) bytes += array.byteLength
    return bytes
  }

  metadata(): RuntimeMetadata {
    const model = this.loaded()
    const input: TensorMetadata = {name: 'input', datatype: 'FP32', shape: [-1, model.numFeature]}
    const width = model.objective.link === 'argmax' ? 1 : model.groups
    const outputs: TensorMetadata[] = [{name: 'predict', datatype: 'FP32', shape: [-1, width]}]
    if (model.objective.classifier) outputs.push({name: 'predict_proba', datatype: 'FP32', shape: [-1, Math.max(2, model.groups)]})
    return {platform: 'xgboost', inputs: [input], outputs}
  }

  async predict(request: InferRequest): Promise<InferResult> {
    const model = this.loaded()
    const input = request.inputs[0]
    const rows = input.shape[0] ?? 1
    const cols = input.shape.length > 1 ? input.shape.slice(1).reduce((a, b) => a * b, 1) : input.shape[0]
    const values = predictRows(model, input.data as Float32Array, input.shape.length > 1 ? rows : 1, cols)
    const outputs = (request.outputs ?? ['predict']).map((name) => this.output(name, values, input.shape.length > 1 ? rows : 1))
    return {outputs}
  }

  private output(name: string, values: Float64Array, rows: number): Tensor {
    const model = this.loaded()
    const k = model.groups
    if (name === 'predict_proba') {
      if (k > 1) return {name, datatype: 'FP32', shape: [rows, k], data: Float32Array.from(values)}
      const data = new Float32Array(rows * 2)
      for (let r = 0; r < rows; r++) {
        data[2 * r] = 1 - values[r]
        data[2 * r + 1] = values[r]
      }
      return {name, datatype: 'FP32', shape: [rows, 2], data}
    }
    if (model.objective.link === 'argmax') {
      const data = new Float32Array(rows)
      for (let r = 0; r < rows; r++) {
        let best = 0
        for (let c = 1; c < k; c++) if (values[r * k + c] > values[r * k + best]) best = c
        data[r] = best
      }
      return {name, datatype: 'FP32', shape: [rows, 1], data}
    }
    return {name, datatype: 'FP32', shape: [rows, k], data: Float32Array.from(values)}
  }

  async unload(): Promise<void> {
    this.model = undefined
  }

  private loaded(): XGBoostModel {
    if (this.model === undefined) throw new Error('the XGBoost model is not loaded')
    return this.model
  }
}
