/** A repository with no model-settings.json: one bare model file, described by MLS_MODEL_* (as KServe mounts it). */
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {MNIST_DIR, MUSHROOM_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const cleanups: Array<() => Promise<unknown> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serve(files: Parameters<typeof makeRepo>[0], env: Record<string, string>): Promise<MlsProcess> {
  const repo = makeRepo(files)
  cleanups.push(repo.cleanup)
  const server = await startMls(repo.dir, {env})
  cleanups.push(() => server.stop())
  return server
}

describe('single model from the environment', () => {
  it('serves a bare model.onnx as MLS_MODEL_NAME with MLS_MODEL_IMPLEMENTATION', async () => {
    const server = await serve({'model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')}}, {MLS_MODEL_NAME: 'digits', MLS_MODEL_IMPLEMENTATION: 'sklearn'})
    expect((await request(server.url + '/v2/health/ready')).status).toBe(200)
    const res = await postJson(server.url + '/v2/models/digits/infer', rowRequest(mnist, 0))
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data).toEqual([mnist.expected.predict[0]])
  })

  it('infers the runtime of a bare model.json from MLS_MODEL_URI, and MLS_ wins over MLSERVER_', async () => {
    const server = await serve(
      {'trees/mushroom.json': {copy: path.join(MUSHROOM_DIR, 'model.json')}},
      {MLS_MODEL_URI: 'trees/mushroom.json', MLSERVER_MODEL_NAME: 'ignored', MLS_MODEL_NAME: 'mushroom', MLSERVER_MODEL_VERSION: 'v3'},
    )
    const index = await postJson(server.url + '/v2/repository/index', {})
    expect(index.body).toEqual([{name: 'mushroom', version: 'v3', state: 'READY', reason: ''}])
    const res = await postJson(server.url + '/v2/models/mushroom/infer', rowRequest(mushroom, 1))
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[1], 5)
  })

  it('names the model after the URI when MLS_MODEL_NAME is absent', async () => {
    const server = await serve({'mushroom.json': {copy: path.join(MUSHROOM_DIR, 'model.json')}}, {MLSERVER_MODEL_URI: 'mushroom.json'})
    expect((await request(server.url + '/v2/models/mushroom/ready')).status).toBe(200)
  })
})
