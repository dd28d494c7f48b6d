/**
 * The data plane with no transport at all: the example's models through the real registry and runtimes (onnxruntime
 * for sklearn's ONNX export, the xgboost runtime), called as REST and gRPC call it. Errors are MlsErrors with the
 * catalogue's code; what a transport makes of them is tested in the other files of this folder.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MlsError} from '../../src/errors.js'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from '../e2e/helpers/fixtures.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))

/** The catalogue code a call is refused with. */
async function codeOf(work: () => unknown): Promise<string> {
  try {
    await work()
  } catch (error) {
    expect(error).toBeInstanceOf(MlsError)
    return (error as MlsError).code
  }
  throw new Error('the call succeeded; a refusal was expected')
}

let server: InProcessServer
beforeAll(async () => {
  server = await startInProcess(EXAMPLE)
})
afterAll(async () => {
  await server?.close()
})

describe('DataPlane over the example repository', () => {
  it('is live and ready, and says what it is', () => {
    const dataplane = server.dataplane
    expect([dataplane.live(), dataplane.ready()]).toEqual([true, true])
    expect(dataplane.serverMetadata()).toMatchObject({name: 'mls', extensions: expect.arrayContaining(['model_repository', 'binary_tensor_data'])})
    expect(dataplane.modelReady('mnist_sklearn', 'v1.0.0')).toBe(true)
  })

  it("gives each model's metadata as its runtime reads it from the model file", async () => {
    const meta = await server.dataplane.modelMetadata('mnist_sklearn')
    expect(meta).toMatchObject({name: 'mnist_sklearn', versions: ['v1.0.0'], platform: 'sklearn'})
    expect(meta.inputs).toEqual([{name: 'input', datatype: 'FP32', shape: [-1, 64]}])
    expect(meta.outputs.map((o) => o.name)).toEqual(['predict', 'label', 'scores'])
  })

  it("infers sklearn's labels and xgboost's probabilities, echoing the id and naming the version", async () => {
    const labels = await server.dataplane.infer('mnist_sklearn', undefined, {id: 'dp-1', ...rowRequest(mnist, 4)})
    expect(labels).toMatchObject({model_name: 'mnist_sklearn', model_version: 'v1.0.0', id: 'dp-1'})
    expect(labels.outputs[0]).toMatchObject({name: 'predict', datatype: 'INT64', shape: [1, 1]})
    expect(Array.from(labels.outputs[0].data as ArrayLike<number | bigint>, Number)).toEqual([mnist.expected.predict[4]])

    const probability = await server.dataplane.infer('mushroom_xgboost', undefined, rowRequest(mushroom, 7))
    expect(Number((probability.outputs[0].data as ArrayLike<number>)[0])).toBeCloseTo(mushroom.expected.predict[7], 6)
    // No id given: one is made up.
    expect(probability.id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('refuses with the catalogue code: unknown model or version, a shape that does not fit, an empty body', async () => {
    const dataplane = server.dataplane
    expect(await codeOf(() => dataplane.infer('nope', undefined, rowRequest(mnist, 0)))).toBe('MODEL_NOT_FOUND')
    expect(await codeOf(() => dataplane.infer('mnist_sklearn', 'v9', rowRequest(mnist, 0)))).toBe('MODEL_VERSION_NOT_FOUND')
    const narrow = rowRequest(mnist, 0)
    narrow.inputs[0].shape = [1, 32]
    narrow.inputs[0].data = narrow.inputs[0].data.slice(0, 32)
    expect(await codeOf(() => dataplane.infer('mnist_sklearn', undefined, narrow))).toBe('INVALID_SHAPE')
    expect(await codeOf(() => dataplane.infer('mnist_sklearn', undefined, undefined))).toBe('EMPTY_BODY')
    expect(await codeOf(() => dataplane.modelMetadata('nope'))).toBe('MODEL_NOT_FOUND')
  })

  it('unloads and loads a model: the index, readiness of the model and inference follow', async () => {
    const dataplane = server.dataplane
    await dataplane.unloadModel('mushroom_xgboost')
    expect(dataplane.repositoryIndex({})).toContainEqual({name: 'mushroom_xgboost', version: 'v2.0.0', state: 'UNAVAILABLE', reason: 'unloaded'})
    expect(dataplane.repositoryIndex({ready: true}).map((m) => m.name)).toEqual(['mnist_sklearn'])
    expect(dataplane.modelReady('mushroom_xgboost')).toBe(false)
    expect(await codeOf(() => dataplane.infer('mushroom_xgboost', undefined, rowRequest(mushroom, 0)))).toBe('MODEL_UNAVAILABLE')
    await dataplane.loadModel('mushroom_xgboost')
    expect(dataplane.repositoryIndex(undefined).every((m) => m.state === 'READY')).toBe(true)
    expect(await codeOf(() => dataplane.unloadModel('nope'))).toBe('MODEL_NOT_FOUND')
  })

  it('once a stop begins: not ready, though live; inference and repository changes are refused SERVER_STOPPING', async () => {
    const dataplane = server.dataplane
    let told = 0
    dataplane.onStop(() => told++)
    dataplane.beginStop()
    expect([dataplane.live(), dataplane.ready(), told]).toEqual([true, false, 1])
    expect(await codeOf(() => dataplane.infer('mnist_sklearn', undefined, rowRequest(mnist, 0)))).toBe('SERVER_STOPPING')
    expect(await codeOf(() => dataplane.loadModel('mnist_sklearn'))).toBe('SERVER_STOPPING')
    expect(dataplane.inFlight).toBe(0)
  })
})
