import {describe, expect, it} from 'vitest'
import {ResponseCache} from '../../../src/dataplane/response-cache.js'
import type {Tensor} from '../../../src/protocol/types.js'
import {LoadedModel} from '../../../src/repository/loaded-model.js'
import {ModelEntry} from '../../../src/repository/model-entry.js'
import type {Runtime} from '../../../src/runtimes/runtime.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'

const settings: ModelSettings = {name: 'm', platform: '', versions: [], inputs: [], outputs: [], maxBatchSize: 0, maxBatchTime: 0, extra: {}, source: '/none/model-settings.json', folder: '/none', cacheEnabled: true}

/** A version READY with a loaded instance (its runtime is never called here). */
async function serving(name = 'm'): Promise<{entry: ModelEntry; instance: LoadedModel}> {
  const runtime: Runtime = {load: async () => {}, metadata: () => ({platform: '', inputs: [], outputs: []}), predict: () => new Promise(() => {}), unload: async () => {}}
  const instance = await LoadedModel.load({...settings, name}, () => runtime)
  const entry = new ModelEntry(name, 'v1', {ok: true, name, version: 'v1', file: '/none/model-settings.json', settings, warnings: []})
  entry.instance = instance
  entry.set('READY')
  return {entry, instance}
}

const request = (value: number) => ({inputs: [{name: 'x', datatype: 'FP32' as const, shape: [1], data: new Float32Array([value])}]})
const answer = (values: number[]): {outputs: Tensor[]} => ({outputs: [{name: 'y', datatype: 'FP32', shape: [values.length], data: new Float32Array(values)}]})

describe('ResponseCache', () => {
  it('keeps a copy: the runtime reusing its array later does not change the cached answer', async () => {
    const cache = new ResponseCache({entries: 10, bytes: 1 << 20})
    const {entry, instance} = await serving()
    const key = cache.key(entry, instance, request(1), undefined)
    const produced = answer([1, 2])
    cache.store(key, entry, instance, produced)
    ;(produced.outputs[0].data as Float32Array)[0] = 99
    expect(Array.from(cache.lookup(key)!.outputs[0].data as Float32Array)).toEqual([1, 2])
    expect(cache.bytes).toBe(256 + 64 + 8)
  })

  it('stores nothing for an instance that no longer serves its version', async () => {
    const cache = new ResponseCache({entries: 10, bytes: 1 << 20})
    const {entry, instance} = await serving()
    const key = cache.key(entry, instance, request(1), undefined)
    entry.set('UNLOADING')
    cache.store(key, entry, instance, answer([1]))
    expect(cache.entries).toBe(0)
    entry.set('READY')
    entry.instance = undefined
    cache.store(key, entry, instance, answer([1]))
    expect(cache.entries).toBe(0)
  })

  it('gives each instance its own keys, and forgets one instance\'s answers only', async () => {
    const cache = new ResponseCache({entries: 10, bytes: 1 << 20})
    const a = await serving('a')
    const b = await serving('b')
    const keyA = cache.key(a.entry, a.instance, request(1), undefined)
    cache.store(keyA, a.entry, a.instance, answer([1]))
    cache.store(cache.key(b.entry, b.instance, request(1), undefined), b.entry, b.instance, answer([1]))
    // A reload: a new instance serves version a; the same request has a new key.
    const reloaded = await serving('a')
    expect(cache.key(a.entry, reloaded.instance, request(1), undefined)).not.toBe(keyA)
    cache.forget(a.instance)
    expect(cache.entries).toBe(1)
    expect(cache.lookup(keyA)).toBeUndefined()
    expect({hits: cache.hits, misses: cache.misses}).toEqual({hits: 0, misses: 1})
  })
})
