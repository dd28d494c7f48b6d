import {describe, expect, it} from 'vitest'
import {buildRequest, parseInputText} from '../../../src/cli/infer-input.js'
import type {ModelMetadata} from '../../../src/protocol/types.js'

const meta = (shape: number[], inputs = 1): (() => Promise<ModelMetadata>) => () =>
  Promise.resolve({
    name: 'm',
    versions: [],
    platform: '',
    inputs: Array.from({length: inputs}, (_, i) => ({name: `in${i}`, datatype: 'FP32' as const, shape})),
    outputs: [],
  })

describe('parseInputText', () => {
  it('reads JSON and CSV rows', () => {
    expect(parseInputText(' [1, 2] ', 'x')).toEqual([1, 2])
    expect(parseInputText('1,2\n3, 4\n', 'x')).toEqual([[1, 2], [3, 4]])
  })
  it('names the source and the bad cell', () => {
    expect(() => parseInputText('{"a": ', 'req.json')).toThrow(/^req\.json is not valid JSON/)
    expect(() => parseInputText('1,x', 'stdin')).toThrow('stdin: row 1, column 2 is "x", not a number (expected JSON or CSV rows of numbers)')
    expect(() => parseInputText('  ', 'stdin')).toThrow('stdin is empty')
  })
})

describe('buildRequest', () => {
  it('sends a V2 request as is, adding requested outputs', async () => {
    const request = {inputs: [{name: 'a', shape: [1], datatype: 'FP32', data: [1]}]}
    expect(await buildRequest(request, meta([-1]), ['y'])).toEqual({...request, outputs: [{name: 'y'}]})
  })
  it('wraps a flat array into the one input, filling the -1 dimension', async () => {
    expect(await buildRequest([1, 2, 3, 4], meta([-1, 2]), [])).toEqual({inputs: [{name: 'in0', datatype: 'FP32', shape: [2, 2], data: [1, 2, 3, 4]}]})
  })
  it('takes the shape of nested arrays and checks it', async () => {
    expect((await buildRequest([[1, 2]], meta([-1, 2]), [])).inputs[0].shape).toEqual([1, 2])
    await expect(buildRequest([[1, 2, 3]], meta([-1, 2]), [])).rejects.toThrow('values of shape [1,3] do not fit the model input "in0" [-1,2]')
  })
  it('catches a length that does not fit before sending', async () => {
    await expect(buildRequest([1, 2, 3], meta([-1, 2]), [])).rejects.toThrow('3 values do not fit the model input "in0" [-1,2] (a multiple of 2 is needed)')
  })
  it('refuses plain values for a model with several inputs', async () => {
    await expect(buildRequest([1], meta([-1], 2), [])).rejects.toThrow(/takes 2 inputs \(in0, in1\): send a V2 request/)
  })
})
