import {describe, expect, it} from 'vitest'
import {admit} from '../../../src/dataplane/admission.js'
import {LoadedModel} from '../../../src/repository/loaded-model.js'
import type {Runtime} from '../../../src/runtimes/runtime.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'

const entry = {name: 'm', version: 'v1'}

/** A loaded model whose runtime answers nothing (admission never calls it). */
async function model(more: Partial<ModelSettings> = {}): Promise<LoadedModel> {
  const settings: ModelSettings = {name: 'm', platform: '', versions: [], inputs: [], outputs: [], maxBatchSize: 0, maxBatchTime: 0, extra: {}, source: '/none/model-settings.json', folder: '/none', ...more}
  const runtime: Runtime = {
    load: async () => {},
    metadata: () => ({platform: '', inputs: [], outputs: []}),
    predict: () => new Promise(() => {}),
    unload: async () => {},
  }
  return LoadedModel.load(settings, () => runtime)
}

describe('admit', () => {
  it('takes a place in the model queue, given back when the scope ends', async () => {
    const instance = await model()
    const scope = admit(entry, instance, {}, {}, 'request')
    expect(instance.inFlight).toBe(1)
    expect(scope.holder).toBe(instance)
    scope.dispose()
    expect(instance.inFlight).toBe(0)
  })

  it('refuses with QUEUE_FULL once the server bound is reached, and admits again after a place comes back', async () => {
    const instance = await model()
    const first = admit(entry, instance, {max_queue_size: 2}, {}, 'request')
    admit(entry, instance, {max_queue_size: 2}, {}, 'request')
    expect(() => admit(entry, instance, {max_queue_size: 2}, {}, 'request')).toThrow(
      expect.objectContaining({code: 'QUEUE_FULL', message: 'model "m" version "v1" has 2 request(s) waiting or running (max_queue_size 2); retry in 1 s'}),
    )
    expect(instance.inFlight).toBe(2)
    first.dispose()
    expect(() => admit(entry, instance, {max_queue_size: 2}, {}, 'request').dispose()).not.toThrow()
  })

  it("uses the model's max_queue_size over the server's, 0 meaning no bound", async () => {
    const bounded = await model({maxQueueSize: 1})
    admit(entry, bounded, {max_queue_size: 10}, {}, 'request')
    expect(() => admit(entry, bounded, {max_queue_size: 10}, {}, 'stream')).toThrow(expect.objectContaining({code: 'QUEUE_FULL'}))
    const unbounded = await model({maxQueueSize: 0})
    for (let i = 0; i < 5; i++) admit(entry, unbounded, {max_queue_size: 1}, {}, 'request')
    expect(unbounded.inFlight).toBe(5)
  })

  it("times a request out after infer_timeout (the model's over the server's)", async () => {
    const instance = await model({inferTimeout: 0.02})
    const scope = admit(entry, instance, {infer_timeout: 100}, {}, 'request')
    await expect(scope.race(new Promise(() => {}))).rejects.toMatchObject({code: 'INFER_TIMEOUT', message: 'model "m" version "v1" did not answer within infer_timeout (0.02 s)'})
    scope.dispose()
  })

  it('times out at the call deadline when it comes before infer_timeout', async () => {
    const instance = await model()
    const scope = admit(entry, instance, {infer_timeout: 100}, {deadline: Date.now() + 20}, 'request')
    await expect(scope.race(new Promise(() => {}))).rejects.toMatchObject({code: 'INFER_TIMEOUT', message: expect.stringMatching(/did not answer within the call's deadline \(0\.0\d+ s\)$/)})
    scope.dispose()
  })

  it('a deadline already past still times out (at once), through the same message', async () => {
    const instance = await model()
    const scope = admit(entry, instance, {}, {deadline: Date.now() - 1000}, 'request')
    await expect(scope.race(new Promise(() => {}))).rejects.toMatchObject({code: 'INFER_TIMEOUT', message: "model \"m\" version \"v1\" did not answer within the call's deadline (0 s)"})
    scope.dispose()
  })

  it('a stream is not bound by infer_timeout, only by the deadline', async () => {
    const instance = await model({inferTimeout: 0.01})
    const stream = admit(entry, instance, {}, {}, 'stream')
    const settled = await Promise.race([stream.race(new Promise(() => {})), new Promise((resolve) => setTimeout(() => resolve('still open'), 40))])
    expect(settled).toBe('still open')
    stream.dispose()
    const bounded = admit(entry, instance, {}, {deadline: Date.now() + 10}, 'stream')
    await expect(bounded.race(new Promise(() => {}))).rejects.toMatchObject({code: 'INFER_TIMEOUT'})
    bounded.dispose()
  })
})
