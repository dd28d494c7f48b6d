/**
 * Model repositories beyond the example, in-process over real model files: broken settings and broken files leave only
 * that model UNAVAILABLE, pickles are refused, several versions serve side by side, readiness follows its rules.
 * Settings at start-up (layers, exit codes, ports) are tested end to end (test/e2e/repository.test.ts).
 */
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {MNIST_DIR, MUSHROOM_DIR, makeRepo, readTestSet, rowRequest, type RepoFiles} from '../e2e/helpers/fixtures.js'
import {startInProcess, type InProcessOptions, type InProcessServer} from './helpers/in-process-server.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const ONNX = {copy: path.join(MNIST_DIR, 'model.onnx')}
const XGB = {copy: path.join(MUSHROOM_DIR, 'model.json')}
const settings = (value: unknown) => JSON.stringify(value)

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function serve(files: RepoFiles, options: InProcessOptions = {}): Promise<{server: InProcessServer; dir: string}> {
  const repo = makeRepo(files)
  cleanups.push(repo.cleanup)
  const server = await startInProcess(repo.dir, options)
  cleanups.push(() => server.close())
  return {server, dir: repo.dir}
}

const index = async (server: InProcessServer) => (await server.postJson('/v2/repository/index', {})).body as Array<Record<string, string>>

describe('model repository', () => {
  it('a broken model-settings.json makes only that model UNAVAILABLE, with file, field, expected and found', async () => {
    const {server} = await serve({
      'good/model-settings.json': settings({name: 'good', implementation: 'sklearn'}),
      'good/model.onnx': ONNX,
      'bad/model-settings.json': settings({name: 'bad', implementation: 'xgboost', max_batch_size: 'many'}),
      'bad/model.json': XGB,
      'notjson/model-settings.json': '{"name": "notjson",',
    })
    const items = await index(server)
    const bad = items.find((i) => i.name === 'bad')!
    expect(bad.state).toBe('UNAVAILABLE')
    expect(bad.reason).toMatch(/bad[/\\]model-settings\.json: max_batch_size: expected number, found "many"/)
    const notjson = items.find((i) => i.name === 'notjson')!
    expect(notjson).toMatchObject({state: 'UNAVAILABLE', reason: expect.stringMatching(/notjson[/\\]model-settings\.json: not valid JSON/)})
    expect(items.find((i) => i.name === 'good')!.state).toBe('READY')
    expect((await server.request('/v2/health/ready')).status).toBe(200)
    const refused = await server.postJson('/v2/models/bad/infer', rowRequest(mushroom, 0))
    expect(refused.status).toBe(404)
    expect(refused.body.code).toBe('MODEL_UNAVAILABLE')
    expect(refused.body.error).toMatch(/failed to load: .*max_batch_size/)
    expect((await server.postJson('/v2/models/good/infer', rowRequest(mnist, 0))).body.outputs[0].data).toEqual([mnist.expected.predict[0]])
  })

  it('a truncated model file and a missing one are reported as the model\'s reason', async () => {
    const onnx = readFileSync(ONNX.copy)
    const repo = {
      'truncated/model-settings.json': settings({implementation: 'onnx'}),
      'missing/model-settings.json': settings({implementation: 'xgboost', parameters: {uri: './nothing.json'}}),
      'good/model-settings.json': settings({implementation: 'xgboost'}),
      'good/model.json': XGB,
    }
    const made = makeRepo(repo)
    cleanups.push(made.cleanup)
    writeFileSync(path.join(made.dir, 'truncated/model.onnx'), onnx.subarray(0, 1000))
    const server = await startInProcess(made.dir)
    cleanups.push(() => server.close())
    const items = await index(server)
    expect(items.find((i) => i.name === 'truncated')).toMatchObject({state: 'UNAVAILABLE', reason: expect.stringMatching(/cannot load ONNX model .*model\.onnx/)})
    expect(items.find((i) => i.name === 'missing')).toMatchObject({state: 'UNAVAILABLE', reason: expect.stringMatching(/parameters\.uri: no file or folder at .*nothing\.json/)})
    expect(items.find((i) => i.name === 'good')!.state).toBe('READY')
  })

  it('never loads a pickle: a lone model.joblib is refused with how to export, an ONNX file beside it is served', async () => {
    const {server} = await serve({
      'pickled/model-settings.json': settings({implementation: 'mlserver_sklearn.SKLearnModel', parameters: {uri: './model.joblib'}}),
      'pickled/model.joblib': 'not really a pickle',
      'both/model-settings.json': settings({implementation: 'mlserver_sklearn.SKLearnModel', parameters: {uri: './model.joblib'}}),
      'both/model.joblib': 'not really a pickle',
      'both/model.onnx': ONNX,
    })
    const items = await index(server)
    expect(items.find((i) => i.name === 'pickled')).toMatchObject({
      state: 'UNAVAILABLE',
      reason: expect.stringMatching(/never loads pickles.*arbitrary code.*skl2onnx/),
    })
    expect(items.find((i) => i.name === 'both')!.state).toBe('READY')
  })

  it('serves several versions side by side; the default is the highest (v10.0.0 > v2.0.0)', async () => {
    const {server} = await serve({
      'a/model-settings.json': settings({name: 'digits', implementation: 'sklearn', parameters: {version: 'v2.0.0'}}),
      'a/model.onnx': ONNX,
      'b/model-settings.json': settings({name: 'digits', implementation: 'sklearn', parameters: {version: 'v10.0.0'}}),
      'b/model.onnx': ONNX,
    })
    const res = await server.postJson('/v2/models/digits/infer', rowRequest(mnist, 0))
    expect(res.body.model_version).toBe('v10.0.0')
    const v2 = await server.postJson('/v2/models/digits/versions/v2.0.0/infer', rowRequest(mnist, 0))
    expect(v2.body.model_version).toBe('v2.0.0')
    expect((await server.request('/v2/models/digits')).body.versions.sort()).toEqual(['v10.0.0', 'v2.0.0'])
    // unload takes every version of the name
    expect((await server.request('/v2/repository/models/digits/unload', {method: 'POST'})).status).toBe(200)
    expect((await index(server)).map((i) => i.state)).toEqual(['UNAVAILABLE', 'UNAVAILABLE'])
    expect((await server.request('/v2/health/ready')).status).toBe(503)
  })

  it('detects the runtime from the model file when implementation is absent, and names the model after its folder', async () => {
    const {server} = await serve({'mushrooms/model-settings.json': '{}', 'mushrooms/model.json': XGB})
    const res = await server.postJson('/v2/models/mushrooms/infer', rowRequest(mushroom, 2))
    expect(res.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[2], 6)
  })

  it('loads a model added after start-up', async () => {
    const {server, dir} = await serve({'first/model-settings.json': settings({implementation: 'xgboost'}), 'first/model.json': XGB})
    mkdirSync(path.join(dir, 'later'))
    copyFileSync(ONNX.copy, path.join(dir, 'later/model.onnx'))
    writeFileSync(path.join(dir, 'later/model-settings.json'), settings({implementation: 'sklearn'}))
    expect((await server.request('/v2/repository/models/later/load', {method: 'POST'})).status).toBe(200)
    expect((await server.postJson('/v2/models/later/infer', rowRequest(mnist, 0))).status).toBe(200)
  })

  it('a failed reload keeps the previous instance serving and says why', async () => {
    const {server, dir} = await serve({'m/model-settings.json': settings({implementation: 'xgboost'}), 'm/model.json': XGB})
    writeFileSync(path.join(dir, 'm/model.json'), '{"learner": ')
    const load = await server.request('/v2/repository/models/m/load', {method: 'POST'})
    expect(load.status).toBe(400)
    expect(load.body).toEqual({code: 'MODEL_LOAD_FAILED', error: expect.stringMatching(/model\.json: not valid JSON/)})
    const [item] = await index(server)
    expect(item).toMatchObject({state: 'READY', reason: expect.stringMatching(/^reload failed, the previous instance keeps serving/)})
    expect((await server.postJson('/v2/models/m/infer', rowRequest(mushroom, 0))).status).toBe(200)
  })
})

describe('readiness', () => {
  const mixed: RepoFiles = {
    'good/model-settings.json': settings({implementation: 'xgboost'}),
    'good/model.json': XGB,
    'broken/model-settings.json': settings({implementation: 'nonsense'}),
  }

  it('is ready with one READY model; not with strict_readiness while one failed', async () => {
    const lax = await serve(mixed)
    expect((await lax.server.request('/v2/health/ready')).status).toBe(200)
    const strict = await serve(mixed, {flags: {strict_readiness: true}})
    const res = await strict.server.request('/v2/health/ready')
    expect(res.status).toBe(503)
    expect(res.body).toEqual({ready: false})
    const [broken] = (await index(strict.server)).filter((i) => i.name === 'broken')
    expect(broken.reason).toMatch(/implementation: unknown runtime "nonsense"; expected one of onnx, sklearn, xgboost/)
  })

  it('is not ready with zero models, but live', async () => {
    const {server} = await serve({'README.txt': 'no models here'})
    expect((await server.request('/v2/health/live')).status).toBe(200)
    expect((await server.request('/v2/health/ready')).status).toBe(503)
  })

  it('does not load at start-up when told not to: models are listed UNKNOWN, not ready, and load on request', async () => {
    const {server} = await serve({'m/model-settings.json': settings({implementation: 'xgboost'}), 'm/model.json': XGB}, {
      env: {MLSERVER_LOAD_MODELS_AT_STARTUP: 'false'},
    })
    expect(await index(server)).toEqual([{name: 'm', state: 'UNKNOWN', reason: ''}])
    expect((await server.postJson('/v2/models/m/infer', rowRequest(mushroom, 0))).body.code).toBe('MODEL_UNAVAILABLE')
    expect((await server.request('/v2/repository/models/m/load', {method: 'POST'})).status).toBe(200)
    expect((await server.request('/v2/health/ready')).status).toBe(200)
  })
})

describe('model files', () => {
  it('an xgboost folder without its model file says so, and never takes model-settings.json or a test set for the model', async () => {
    const {server} = await serve({
      'm/model-settings.json': JSON.stringify({implementation: 'xgboost'}),
      'm/test-set.json': '{}',
      'ok/model-settings.json': JSON.stringify({implementation: 'xgboost'}),
      'ok/model.json': XGB,
    })
    const [m] = (await index(server)).filter((i) => i.name === 'm')
    expect(m).toMatchObject({state: 'UNAVAILABLE', reason: expect.stringMatching(/^no model file found: expected an XGBoost model \(model\.json or model\.ubj\) in .*m$/)})
  })
})
