import {describe, expect, it} from 'vitest'
import {buildRequest, detectDelimiter, parseInputText} from '../../../src/cli/infer-input.js'
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
    expect(() => parseInputText('1,2\n1,x', 'stdin')).toThrow('stdin: row 2, column 2 is "x", not a number (expected JSON, or CSV rows of numbers with an optional header row)')
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

describe('CSV with a header row and other delimiters', () => {
  const named = (...names: string[]): (() => Promise<ModelMetadata>) => () =>
    Promise.resolve({name: 'm', versions: [], platform: '', inputs: names.map((name) => ({name, datatype: 'FP64' as const, shape: [-1, 1]})), outputs: []})

  it('detects ",", ";", tab and "|", and a header as a first row that is not all numbers', () => {
    expect(detectDelimiter('a;b;c')).toBe(';')
    expect(detectDelimiter('1\t2')).toBe('\t')
    expect(detectDelimiter('1|2')).toBe('|')
    expect(detectDelimiter('42')).toBe(',')
    expect(parseInputText('x;y\n1;2\n3;4\n', 'x')).toEqual({columns: ['x', 'y'], rows: [[1, 2], [3, 4]]})
    expect(parseInputText('1\t2\n3\t4', 'x')).toEqual([[1, 2], [3, 4]])
    expect(parseInputText('1;2', 'x', {delimiter: ';'})).toEqual([[1, 2]])
  })

  it('reads what pandas writes: quoted names, an unnamed index column left out', () => {
    expect(parseInputText('"a,b",c\n1,2', 'x')).toEqual({columns: ['a,b', 'c'], rows: [[1, 2]]})
    expect(parseInputText(',sepal,petal\n0,5.1,1.4\n1,4.9,1.3', 'x')).toEqual({columns: ['sepal', 'petal'], rows: [[5.1, 1.4], [4.9, 1.3]]})
    expect(() => parseInputText('a,b\n1,?', 'f.csv')).toThrow('f.csv: row 2, column 2 is "?", not a number')
  })

  it('columns that name the inputs become those inputs; else the rows are the one input', async () => {
    const table = parseInputText('y,x\n1,2\n3,4', 'x')
    expect(await buildRequest(table, named('x', 'y'), [])).toEqual({
      inputs: [
        {name: 'y', datatype: 'FP64', shape: [2, 1], data: [1, 3]},
        {name: 'x', datatype: 'FP64', shape: [2, 1], data: [2, 4]},
      ],
    })
    expect(await buildRequest(table, meta([-1, 2]), [])).toEqual({inputs: [{name: 'in0', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4]]}]})
  })

  it('says which columns name no input, and which inputs have no column', async () => {
    await expect(buildRequest(parseInputText('x,z\n1,2', 's'), named('x', 'y'), [])).rejects.toThrow('CSV columns "z" name no input of model "m" (inputs: x, y)')
    await expect(buildRequest(parseInputText('x\n1', 's'), named('x', 'y'), [])).rejects.toThrow('model "m" also takes y: add a CSV column for each, or send a V2 request')
  })
})
