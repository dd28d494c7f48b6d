import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {canonical, cacheKey} from '../../../src/dataplane/cache-key.js'
import type {Tensor} from '../../../src/protocol/types.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()
const fp32 = (values: number[], parameters?: Record<string, unknown>): Tensor => ({name: 'x', datatype: 'FP32', shape: [1, values.length], data: new Float32Array(values), parameters})
const key = (inputs: Tensor[], parameters?: Record<string, unknown>, outputs?: Array<{name: string; parameters?: Record<string, unknown>}>, version?: string) =>
  cacheKey('m', version, {inputs, parameters}, outputs)

describe('cacheKey', () => {
  it('is the same for the same tensors, whatever the array holding them or the transport framing flags', () => {
    const bytes = new Uint8Array(16)
    const view = new Float32Array(bytes.buffer, 4, 2)
    view.set([1, 2])
    expect(key([fp32([1, 2])])).toBe(key([{...fp32([]), shape: [1, 2], data: view}]))
    expect(key([fp32([1, 2])])).toBe(key([fp32([1, 2], {binary_data_size: 8})], {binary_data_output: true}, undefined))
    expect(key([fp32([1, 2])], undefined, [{name: 'y'}])).toBe(key([fp32([1, 2])], {}, [{name: 'y', parameters: {binary_data: true}}]))
  })

  it('differs for anything the runtime sees: values, shape, datatype, names, parameters, outputs, version', () => {
    const base = key([fp32([1, 2])])
    const others = [
      key([fp32([1, 3])]),
      key([{...fp32([1, 2]), shape: [2, 1]}]),
      key([{...fp32([1, 2]), datatype: 'INT32', data: new Int32Array([1, 2])}]),
      key([{...fp32([1, 2]), name: 'z'}]),
      key([fp32([1, 2], {content_type: 'np'})]),
      key([fp32([1, 2])], {content_type: 'np'}),
      key([fp32([1, 2])], undefined, [{name: 'y'}]),
      key([fp32([1, 2])], undefined, [{name: 'y', parameters: {content_type: 'np'}}]),
      key([fp32([1, 2])], undefined, undefined, 'v2'),
      cacheKey('n', undefined, {inputs: [fp32([1, 2])]}, undefined),
    ]
    expect(new Set([base, ...others]).size).toBe(others.length + 1)
  })

  it('keeps BYTES elements apart: ["ab", "c"] is not ["a", "bc"]', () => {
    const bytes = (...elements: string[]): Tensor => ({name: 's', datatype: 'BYTES', shape: [elements.length], data: elements.map((e) => new TextEncoder().encode(e))})
    expect(key([bytes('ab', 'c')])).not.toBe(key([bytes('a', 'bc')]))
    expect(key([bytes('ab', 'c')])).toBe(key([bytes('ab', 'c')]))
  })
})

describe('canonical parameters', () => {
  it('sorts keys at every level and drops the framing flag; nothing left is empty', () => {
    expect(canonical({b: 1, a: {d: 2, c: [3, {f: 1, e: 2}]}}, 'x')).toBe('{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}')
    expect(canonical({binary_data_output: true}, 'binary_data_output')).toBe('')
    expect(canonical(undefined, 'x')).toBe('')
    expect(canonical({}, 'x')).toBe('')
  })
})

describe('cache settings', () => {
  it('server: off by default, MLServer\'s cache_size 100, cache_max_bytes 64 MiB; parsed from env and byte strings', () => {
    const dir = tempFolder('mls-cache-')
    expect(loadServerSettings({root: dir, env: {}}).settings).toMatchObject({cache_enabled: false, cache_size: 100, cache_max_bytes: 64 * 1024 * 1024})
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({cache_enabled: 'true', cache_size: '5', cache_max_bytes: '1MiB'}))
    expect(loadServerSettings({root: dir, env: {}}).settings).toMatchObject({cache_enabled: true, cache_size: 5, cache_max_bytes: 1024 * 1024})
    expect(loadServerSettings({root: dir, env: {MLSERVER_CACHE_SIZE: '7'}}).settings.cache_size).toBe(7)
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({cache_size: 0}))
    expect(() => loadServerSettings({root: dir, env: {}})).toThrow(/cache_size/)
  })

  it('model: cache_enabled opts in, absent is false, no warning', () => {
    const dir = tempFolder('mls-cache-model-')
    const file = path.join(dir, 'model-settings.json')
    writeFileSync(file, JSON.stringify({name: 'm', cache_enabled: true}))
    const loaded = loadModelSettings(file)
    expect(loaded.settings.cacheEnabled).toBe(true)
    expect(loaded.warnings).toEqual([])
    writeFileSync(file, JSON.stringify({name: 'm'}))
    expect(loadModelSettings(file).settings.cacheEnabled).toBe(false)
  })
})
