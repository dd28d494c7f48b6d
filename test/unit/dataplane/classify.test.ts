/** The classification extension's pieces: the score as Triton prints it, the ranking, the k checks, the labels setting. */
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {classificationsOf, classifyOutputs, formatScore} from '../../../src/dataplane/classify.js'
import {MlsError} from '../../../src/errors.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()
const text = (data: unknown) => (data as Uint8Array[]).map((b) => Buffer.from(b).toString())

describe('formatScore (C++ std::to_string, which Triton uses)', () => {
  it('prints floats as printf("%f"): six decimals, exact ties to even, signs kept', () => {
    // Expected strings are Python's '%f' % x (the C library's printf).
    const cases: Array<[number, string]> = [
      [0.9729840159416199, '0.972984'],
      [0.1, '0.100000'],
      [0.0078125, '0.007812'],
      [0.0234375, '0.023438'],
      [1.0078125, '1.007812'],
      [-0.0078125, '-0.007812'],
      [2.5e-7, '0.000000'],
      [-1e-9, '-0.000000'],
      [-0, '-0.000000'],
      [123456.5, '123456.500000'],
      [1e22, '10000000000000000000000.000000'],
      [Number.NaN, 'nan'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [Number.NEGATIVE_INFINITY, '-inf'],
    ]
    for (const [value, expected] of cases) expect(formatScore(value), String(value)).toBe(expected)
  })

  it('prints integers in full', () => {
    expect(formatScore(7, true)).toBe('7')
    expect(formatScore(-3, true)).toBe('-3')
    expect(formatScore(18446744073709551615n)).toBe('18446744073709551615')
  })
})

describe('classifyOutputs', () => {
  const scores = {name: 'p', datatype: 'FP32' as const, shape: [2, 4], data: Float32Array.from([1.1, 3.3, 0.5, 2.4, 0.25, 0.25, 0.75, Number.NaN])}

  it('ranks each row best first, equal scores by index and NaN last; k past the classes gives every class', () => {
    const [out] = classifyOutputs([scores], new Map([['p', 9]]))
    expect(out).toMatchObject({name: 'p', datatype: 'BYTES', shape: [2, 4]})
    expect(text(out.data)).toEqual(['3.300000:1', '2.400000:3', '1.100000:0', '0.500000:2', '0.750000:2', '0.250000:0', '0.250000:1', 'nan:3'])
  })

  it('adds labels where there is one for the index, and keeps a [classes] output one-dimensional', () => {
    const [out] = classifyOutputs([{name: 'v', datatype: 'INT32', shape: [4], data: Int32Array.from([1, 5, 10, 4])}], new Map([['v', 2]]), ['a', 'b'])
    expect(out.shape).toEqual([2])
    expect(text(out.data)).toEqual(['10:2', '5:1:b'])
  })

  it('leaves the outputs not asked for as they are', () => {
    const other = {name: 'q', datatype: 'INT64' as const, shape: [2], data: BigInt64Array.from([1n, 2n])}
    const out = classifyOutputs([scores, other], new Map([['p', 1]]))
    expect(out[1]).toBe(other)
    expect(text(out[0].data)).toEqual(['3.300000:1', '0.750000:2'])
  })

  it('refuses what is not a score vector with UNSUPPORTED_PARAMETER, saying why', () => {
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (error) {
        return [(error as MlsError).code, (error as Error).message]
      }
      return undefined
    }
    expect(code(() => classifyOutputs([{name: 'b', datatype: 'BYTES', shape: [1], data: [Buffer.from('x')]}], new Map([['b', 1]])))).toEqual([
      'UNSUPPORTED_PARAMETER',
      'output "b": parameters.classification cannot be applied: it is BYTES, not numeric scores',
    ])
    expect(code(() => classifyOutputs([{name: 'c', datatype: 'FP32', shape: [1, 2, 2], data: new Float32Array(4)}], new Map([['c', 1]])))?.[1]).toContain(
      'its shape is [1, 2, 2]',
    )
    expect(code(() => classificationsOf([{name: 'x', parameters: {classification: 2}}], [{name: 'x', datatype: 'BOOL', shape: [-1, 3]}]))?.[0]).toBe('UNSUPPORTED_PARAMETER')
    for (const k of [0, -1, 1.5, '3', true, null]) {
      expect(code(() => classificationsOf([{name: 'x', parameters: {classification: k}}], []))?.[0], String(k)).toBe('INVALID_REQUEST')
    }
    expect(classificationsOf([{name: 'x', parameters: {binary_data: true}}], [])).toBeUndefined()
  })
})

describe('model-settings parameters.labels', () => {
  function model(parameters: unknown, files: Record<string, string> = {}): string {
    const dir = path.join(tempFolder('mls-labels-'), 'm')
    mkdirSync(dir)
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
    const file = path.join(dir, 'model-settings.json')
    writeFileSync(file, JSON.stringify({parameters}))
    return file
  }

  it('takes an array, or a file in the model folder with one label per line', () => {
    expect(loadModelSettings(model({labels: ['cat', 'dog']})).settings.labels).toEqual(['cat', 'dog'])
    expect(loadModelSettings(model({labels: 'labels.txt'}, {'labels.txt': 'cat\r\ndog\n\nbird\n'})).settings.labels).toEqual(['cat', 'dog', '', 'bird'])
    expect(loadModelSettings(model({})).settings.labels).toBeUndefined()
  })

  it('names the file, the field, what was expected and what was found', () => {
    const missing = model({labels: 'nope.txt'})
    expect(() => loadModelSettings(missing)).toThrow(`${missing}: parameters.labels: expected a readable file of labels (one per line) in the model's folder, found "nope.txt" (no such file)`)
    expect(() => loadModelSettings(model({labels: '../../../etc/passwd'}))).toThrow('parameters.labels: expected a file name inside the model\'s folder, found "../../../etc/passwd"')
    expect(() => loadModelSettings(model({labels: [1, 2]}))).toThrow(/parameters\.labels/)
  })
})
