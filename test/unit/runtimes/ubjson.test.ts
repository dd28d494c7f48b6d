import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {decodeUbjson} from '../../../src/runtimes/xgboost/ubjson.js'
import {XGBoostRuntime} from '../../../src/runtimes/xgboost/xgboost-runtime.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'

const bytes = (...parts: Array<string | number[]>) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))

describe('decodeUbjson', () => {
  it('decodes scalars, strings, arrays and objects (big-endian)', () => {
    expect(decodeUbjson(bytes('{', 'i', [1], 'a', 'l', [0, 0, 1, 0], 'i', [1], 'b', 'S', 'i', [2], 'hi', 'i', [1], 'c', '[', 'T', 'F', 'Z', 'D', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], ']', '}'))).toEqual({
      a: 256,
      b: 'hi',
      c: [true, false, null, 1.5],
    })
  })

  it('decodes optimized containers into typed arrays', () => {
    const floats = decodeUbjson(bytes('[', '$', 'd', '#', 'i', [2], [0x3f, 0xc0, 0, 0], [0xc0, 0, 0, 0]))
    expect(floats).toEqual(new Float32Array([1.5, -2]))
    expect(decodeUbjson(bytes('[', '#', 'i', [2], 'i', [0xff], 'U', [200]))).toEqual([-1, 200])
    expect(decodeUbjson(bytes('{', '#', 'U', [1], 'U', [1], 'k', 'T'))).toEqual({k: true})
  })

  it('refuses truncated or trailing data', () => {
    expect(() => decodeUbjson(bytes('[', 'l', [0, 0]))).toThrow(/not valid UBJSON at byte \d+: unexpected end of data/)
    expect(() => decodeUbjson(bytes('T', 'T'))).toThrow(/1 bytes after the end of the value/)
  })
})

describe('xgboost model.ubj', () => {
  it('gives the same predictions as model.json on the agaricus test set', async () => {
    const file = path.resolve('test/fixtures/models-xgboost/mushroom_ubj/model-settings.json')
    const runtime = new XGBoostRuntime(loadModelSettings(file).settings)
    await runtime.load()
    const set = JSON.parse(readFileSync('examples/multi-model/models/mushroom_xgboost/test-set.json', 'utf8'))
    const {shape, data} = set.request.inputs[0]
    const {outputs} = await runtime.predict({id: '1', inputs: [{name: 'input', datatype: 'FP32', shape, data: Float32Array.from(data)}]})
    const p = outputs[0].data as Float32Array
    expect(p).toHaveLength(1611)
    expect(Math.max(...Array.from(p, (v, i) => Math.abs(v - set.expected.predict[i])))).toBeLessThanOrEqual(1e-6)
  })
})
