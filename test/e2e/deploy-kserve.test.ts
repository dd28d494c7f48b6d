/**
 * deploy/kserve/ run as KServe would run it, without a cluster: for each InferenceService, its ClusterServingRuntime's
 * container (the image's ENV, then the runtime's env with {{.Name}} filled in, then its args) started on the built CLI,
 * with /mnt/models a temporary folder holding the bare model file as KServe's storage initializer places it (the
 * storageUri's base name) and free ports instead of 8080-8082. A KServe user's checks: ready, the model named after the
 * InferenceService, and the answers MLServer's runtime for that format gives, right against the example's test set.
 */
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {MODEL_MOUNT} from '../../src/deploy/image.js'
import {startContainer, type ContainerProcess} from './helpers/container.js'
import {MNIST_DIR, MUSHROOM_DIR, readTestSet, type TestSet} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {containerEnv, readManifests, type Doc} from './helpers/manifests.js'

const docs = ['kserve/cluster-serving-runtimes.yaml', 'kserve/inference-services.yaml'].flatMap((file) => readManifests(file))
const runtimes = new Map(docs.filter((d) => d.kind === 'ClusterServingRuntime').map((d) => [d.metadata.name as string, d]))
const services = docs.filter((d) => d.kind === 'InferenceService')

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))

/**
 * Per format: the example model that stands for the storageUri's file, its test set, the outputs MLServer's runtime
 * answers by default (for onnx, the graph's own), and the checks of the probabilities asked for by name.
 */
const FORMATS: Record<string, {model: string; set: TestSet; outputs: string[]; proba?: {name: string; width: number}}> = {
  // MLServer's SKLearnModel: `predict` [N, 1]. The example is an SVC without probabilities: it has no predict_proba,
  // in scikit-learn as here.
  sklearn: {model: path.join(MNIST_DIR, 'model.onnx'), set: mnist, outputs: ['predict']},
  // MLServer's XGBoostModel (binary:logistic): `predict` the probability [N, 1]; `predict_proba` [N, 2] when asked.
  xgboost: {model: path.join(MUSHROOM_DIR, 'model.json'), set: mushroom, outputs: ['predict'], proba: {name: 'predict_proba', width: 2}},
  // Plain ONNX: the graph's outputs under their own names (the SVC's label and one-vs-one scores).
  onnx: {model: path.join(MNIST_DIR, 'model.onnx'), set: mnist, outputs: ['label', 'scores']},
}

const cleanups: Array<() => unknown> = []
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** The InferenceService's runtime container started here, its model file in a temporary /mnt/models. */
async function startAsKServe(service: Doc): Promise<ContainerProcess> {
  const {runtime: runtimeName, modelFormat, storageUri} = service.spec.predictor.model
  const runtime = runtimes.get(runtimeName)
  expect(runtime, `ClusterServingRuntime ${runtimeName}`).toBeDefined()
  const container = runtime!.spec.containers[0]
  const models = mkdtempSync(path.join(tmpdir(), 'mls-kserve-'))
  cleanups.push(() => rmSync(models, {recursive: true, force: true}))
  copyFileSync(FORMATS[modelFormat.name].model, path.join(models, path.posix.basename(new URL(storageUri).pathname)))
  const localize = (value: string) => value.replaceAll(MODEL_MOUNT, models).replaceAll('{{.Name}}', service.metadata.name)
  const {env} = await containerEnv(container, localize)
  const server = await startContainer(container.args.map(localize), env)
  cleanups.push(() => server.stop())
  return server
}

/** Every row of the test set, checked against its expected predictions (within its tolerance). */
function expectPredictions(data: number[], set: TestSet): void {
  const expected = set.expected.predict
  expect(data).toHaveLength(expected.length)
  const tolerance = set.tolerance ?? 0
  const wrong = data.flatMap((value, row) => (Math.abs(value - expected[row]) <= tolerance ? [] : [`row ${row}: ${value} != ${expected[row]}`]))
  expect(wrong).toEqual([])
}

describe('deploy/kserve: each InferenceService served as its ClusterServingRuntime runs mls', () => {
  it('covers every format the runtimes support', () => {
    expect(services.map((s) => s.spec.predictor.model.modelFormat.name).sort()).toEqual(Object.keys(FORMATS).sort())
  })

  it.each(services.map((service) => ({name: service.metadata.name as string, format: service.spec.predictor.model.modelFormat.name as string, service})))(
    '$name ($format): ready, named after the InferenceService, the format\'s outputs, right on the whole test set',
    async ({name, format, service}) => {
      const {set, outputs, proba} = FORMATS[format]
      const server = await startAsKServe(service)
      expect((await postJson(server.url + '/v2/repository/index', {})).body).toEqual([{name, state: 'READY', reason: ''}])
      expect((await request(server.url + `/v2/models/${name}/ready`)).status).toBe(200)

      const answer = await postJson(server.url + `/v2/models/${name}/infer`, set.request)
      expect(answer.status, answer.text).toBe(200)
      expect(answer.body.model_name).toBe(name)
      expect(answer.body.outputs.map((o: Doc) => o.name)).toEqual(outputs)
      const [first] = answer.body.outputs
      if (format !== 'onnx') expect(first.shape).toEqual([set.expected.predict.length, 1])
      expectPredictions(first.data, set)
      if (proba === undefined) return

      const asked = await postJson(server.url + `/v2/models/${name}/infer`, {...set.request, outputs: [{name: proba.name}]})
      expect(asked.status, asked.text).toBe(200)
      const [probabilities] = asked.body.outputs
      expect(probabilities.name).toBe(proba.name)
      expect(probabilities.shape).toEqual([set.expected.predict.length, proba.width])
      const rows = Array.from({length: set.expected.predict.length}, (_, r) => probabilities.data.slice(r * proba.width, (r + 1) * proba.width) as number[])
      for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4)
      // The positive class's probability is the prediction.
      expectPredictions(rows.map((row) => row[1]), set)
    },
    60_000,
  )
})
