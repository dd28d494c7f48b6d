/** The tree walker against real xgboost 1.7.4 predictions (made by examples/multi-model/train/generate.py). */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseXGBoostModel, predictRows} from '../../../src/runtimes/xgboost/xgboost-model.js'
import {XGBoostRuntime} from '../../../src/runtimes/xgboost/xgboost-runtime.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'

const DIR = path.resolve('examples/multi-model/models/mushroom_xgboost')
const model = parseXGBoostModel(JSON.parse(readFileSync(path.join(DIR, 'model.json'), 'utf8')))
const testSet = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8'))

function worstError(file: string): {worst: number; rows: number} {
  const set = testSet(file)
  const {shape, data} = set.request.inputs[0]
  const x = Float32Array.from(data, (v: number | null) => (v === null ? NaN : v))
  const predictions = predictRows(model, x, shape[0], shape[1])
  let worst = 0
  set.expected.predict.forEach((p: number, i: number) => (worst = Math.max(worst, Math.abs(p - predictions[i]))))
  return {worst, rows: shape[0]}
}

describe('XGBoost JSON evaluator', () => {
  it('reads the learner: binary:logistic, 126 features, base margin logit(0.5) = 0', () => {
    expect(model.objective.name).toBe('binary:logistic')
    expect(model.numFeature).toBe(126)
    expect(model.groups).toBe(1)
    expect(model.baseMargin).toBe(0)
    expect(model.forest.roots).toHaveLength(2)
  })

  it('equals xgboost on the whole agaricus test set within 1e-6', () => {
    const {worst, rows} = worstError('test-set.json')
    expect(rows).toBe(1611)
    expect(worst).toBeLessThanOrEqual(1e-6)
  })

  it('follows default_left for missing values (20% of features missing)', () => {
    const set = testSet('test-set-missing.json')
    expect(set.request.inputs[0].data.filter((v: unknown) => v === null).length).toBeGreaterThan(1000)
    expect(worstError('test-set-missing.json').worst).toBeLessThanOrEqual(1e-6)
  })

  it('applies multi:softprob and reg:squarederror', () => {
    // Two one-leaf trees per class would be overkill: build a tiny model by hand.
    const leaf = (value: number) => ({left_children: [-1], right_children: [-1], split_indices: [0], split_conditions: [value], default_left: [0]})
    const make = (objective: string, numClass: string, trees: unknown[], info: number[], baseScore = '5E-1') => ({
      learner: {
        learner_model_param: {base_score: baseScore, num_class: numClass, num_feature: '1', num_target: '1'},
        objective: {name: objective},
        gradient_booster: {name: 'gbtree', model: {trees, tree_info: info}},
      },
    })
    const softprob = parseXGBoostModel(make('multi:softprob', '3', [leaf(1), leaf(2), leaf(3)], [0, 1, 2]))
    const p = predictRows(softprob, [0], 1, 1)
    const e = [Math.exp(1.5), Math.exp(2.5), Math.exp(3.5)]
    const sum = e[0] + e[1] + e[2]
    expect(Array.from(p)).toEqual(e.map((v) => expect.closeTo(v / sum, 12)))
    const reg = parseXGBoostModel(make('reg:squarederror', '0', [leaf(1.25)], [0], '[2E0]'))
    expect(predictRows(reg, [0], 1, 1)[0]).toBe(3.25)
  })

  it('refuses what it cannot evaluate, saying what', () => {
    expect(() => parseXGBoostModel({})).toThrow('not an XGBoost JSON model: model.learner is missing')
    expect(() =>
      parseXGBoostModel({learner: {learner_model_param: {}, objective: {name: 'survival:aft'}, gradient_booster: {name: 'gbtree'}}}),
    ).toThrow(/objective "survival:aft" is not supported/)
  })

  it('runtime: predict is FP32 [N,1], predict_proba [N,2]', async () => {
    const runtime = new XGBoostRuntime(loadModelSettings(path.join(DIR, 'model-settings.json')).settings)
    await runtime.load()
    const set = testSet('test-set.json')
    const row = Float32Array.from(set.request.inputs[0].data.slice(0, 126))
    const input = {name: 'input', datatype: 'FP32' as const, shape: [1, 126], data: row}
    const {outputs} = await runtime.predict({id: '1', inputs: [input], outputs: ['predict', 'predict_proba']})
    expect(outputs[0]).toMatchObject({name: 'predict', datatype: 'FP32', shape: [1, 1]})
    expect(outputs[0].data[0]).toBeCloseTo(set.expected.predict[0], 6)
    expect(outputs[1].shape).toEqual([1, 2])
    await runtime.unload()
  })
})
