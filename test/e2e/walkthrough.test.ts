/**
 * The user's walkthrough against the built CLI serving examples/multi-model: infer, the full test sets, the
 * repository index, and an unload / load cycle, over real HTTP.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const mushroomMissing = readTestSet(path.join(MUSHROOM_DIR, 'test-set-missing.json'))

let server: MlsProcess
const url = (p: string) => server.url + p
const MNIST_INFER = '/v2/models/mnist_sklearn/versions/v1.0.0/infer'
const MUSHROOM_INFER = '/v2/models/mushroom_xgboost/versions/v2.0.0/infer'

beforeAll(async () => {
  server = await startMls(EXAMPLE)
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
})

describe('mls start examples/multi-model', () => {
  it('is live and ready, and describes itself', async () => {
    expect((await request(url('/v2/health/live'))).status).toBe(200)
    const ready = await request(url('/v2/health/ready'))
    expect(ready.status).toBe(200)
    expect(ready.body).toEqual({ready: true})
    const meta = await request(url('/v2'))
    expect(meta.body.name).toBe('mls')
    expect(meta.body.extensions).toContain('model_repository')
  })

  it('answers one mnist row as MLServer does: predict, INT64, [1,1]', async () => {
    const res = await postJson(url(MNIST_INFER), {id: 'row-0', ...rowRequest(mnist, 0)})
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      model_name: 'mnist_sklearn',
      model_version: 'v1.0.0',
      id: 'row-0',
      outputs: [{name: 'predict', shape: [1, 1], datatype: 'INT64', data: [mnist.expected.predict[0]]}],
    })
  })

  it('generates an id when none is sent, and serves the default version without /versions', async () => {
    const res = await postJson(url('/v2/models/mnist_sklearn/infer'), rowRequest(mnist, 1))
    expect(res.status).toBe(200)
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(res.body.model_version).toBe('v1.0.0')
  })

  it('gives sklearn\'s prediction for every mnist test row (899 rows in one request)', async () => {
    const res = await postJson(url(MNIST_INFER), mnist.request)
    expect(res.status).toBe(200)
    const [output] = res.body.outputs
    expect(output.shape).toEqual([899, 1])
    expect(output.data).toEqual(mnist.expected.predict)
    const correct = output.data.filter((label: number, i: number) => label === mnist.labels![i]).length
    expect(correct / 899).toBeCloseTo(0.9689, 3)
  })

  it('gives xgboost\'s probability for every mushroom test row within 1e-6', async () => {
    for (const set of [mushroom, mushroomMissing]) {
      const res = await postJson(url(MUSHROOM_INFER), set.request)
      expect(res.status).toBe(200)
      const [output] = res.body.outputs
      expect(output).toMatchObject({name: 'predict', datatype: 'FP32', shape: [set.expected.predict.length, 1]})
      const worst = Math.max(...output.data.map((p: number, i: number) => Math.abs(p - set.expected.predict[i])))
      expect(worst).toBeLessThanOrEqual(1e-6)
    }
  })

  it('answers a single mushroom row with P(class 1)', async () => {
    const res = await postJson(url(MUSHROOM_INFER), rowRequest(mushroom, 0))
    expect(res.body.outputs[0].shape).toEqual([1, 1])
    expect(res.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[0], 6)
  })

  it('returns requested outputs by name: predict_proba for xgboost, scores for the SVC', async () => {
    const proba = await postJson(url(MUSHROOM_INFER), {...rowRequest(mushroom, 0), outputs: [{name: 'predict_proba'}]})
    expect(proba.status).toBe(200)
    const [p0, p1] = proba.body.outputs[0].data
    expect(p1).toBeCloseTo(mushroom.expected.predict[0], 6)
    expect(p0 + p1).toBeCloseTo(1, 6)
    const scores = await postJson(url(MNIST_INFER), {...rowRequest(mnist, 0), outputs: [{name: 'scores'}, {name: 'predict'}]})
    expect(scores.status).toBe(200)
    expect(scores.body.outputs.map((o: {name: string}) => o.name)).toEqual(['scores', 'predict'])
    expect(scores.body.outputs[0].shape).toEqual([1, 45])
  })

  it('gives model metadata from the graph, with and without a version', async () => {
    const res = await request(url('/v2/models/mnist_sklearn'))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      name: 'mnist_sklearn',
      versions: ['v1.0.0'],
      inputs: [{name: 'input', datatype: 'FP32', shape: [-1, 64]}],
    })
    expect(res.body.outputs[0]).toEqual({name: 'predict', datatype: 'INT64', shape: [-1, 1]})
    const versioned = await request(url('/v2/models/mushroom_xgboost/versions/v2.0.0'))
    expect(versioned.body.inputs).toEqual([{name: 'input', datatype: 'FP32', shape: [-1, 126]}])
    expect((await request(url('/v2/models/mnist_sklearn/versions/v1.0.0/ready'))).body).toEqual({name: 'mnist_sklearn', version: 'v1.0.0', ready: true})
  })

  it('lists the repository (with the empty body curl sends, {} and a ready filter)', async () => {
    const expected = [
      {name: 'mnist_sklearn', version: 'v1.0.0', state: 'READY', reason: ''},
      {name: 'mushroom_xgboost', version: 'v2.0.0', state: 'READY', reason: ''},
    ]
    expect((await request(url('/v2/repository/index'), {method: 'POST'})).body).toEqual(expected)
    expect((await postJson(url('/v2/repository/index'), {})).body).toEqual(expected)
    expect((await postJson(url('/v2/repository/index'), {ready: false})).body).toEqual([])
  })

  it('unloads and reloads a model while the other keeps serving', async () => {
    const unload = await request(url('/v2/repository/models/mushroom_xgboost/unload'), {method: 'POST'})
    expect(unload.status).toBe(200)
    const index = await postJson(url('/v2/repository/index'), {})
    expect(index.body).toContainEqual({name: 'mushroom_xgboost', version: 'v2.0.0', state: 'UNAVAILABLE', reason: 'unloaded'})

    const refused = await postJson(url(MUSHROOM_INFER), rowRequest(mushroom, 0))
    expect(refused.status).toBe(404)
    expect(refused.body).toEqual({error: expect.stringContaining('unloaded'), code: 'MODEL_UNAVAILABLE'})
    expect((await request(url('/v2/models/mushroom_xgboost/ready'))).status).toBe(400)
    expect((await request(url('/v2/health/ready'))).status).toBe(200) // mnist is still READY
    expect((await postJson(url(MNIST_INFER), rowRequest(mnist, 0))).status).toBe(200)

    const load = await request(url('/v2/repository/models/mushroom_xgboost/load'), {method: 'POST'})
    expect(load.status).toBe(200)
    expect((await postJson(url('/v2/repository/index'), {ready: true})).body).toHaveLength(2)
    const again = await postJson(url(MUSHROOM_INFER), rowRequest(mushroom, 0))
    expect(again.status).toBe(200)
    expect(again.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[0], 6)
  })

  it('reloads a loaded model without dropping a request (rolling)', async () => {
    const traffic = Array.from({length: 40}, (_, i) => postJson(url(MNIST_INFER), rowRequest(mnist, i)))
    const load = request(url('/v2/repository/models/mnist_sklearn/load'), {method: 'POST'})
    const more = Array.from({length: 40}, (_, i) => postJson(url(MNIST_INFER), rowRequest(mnist, 40 + i)))
    const results = await Promise.all([...traffic, ...more])
    expect((await load).status).toBe(200)
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200))
    results.forEach((r, i) => expect(r.body.outputs[0].data[0]).toBe(mnist.expected.predict[i]))
  })
})
