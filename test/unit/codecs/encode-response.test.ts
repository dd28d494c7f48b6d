/** encodeResponse: the codec chosen by the value or by the declared outputs, and the names of single outputs. */
import {describe, expect, it} from 'vitest'
import {encodeOutput, encodeResponse} from '../../../src/codecs/encode-response.js'
import {Table} from '../../../src/codecs/table.js'
import {decodeUtf8} from '../../../src/protocol/bytes.js'

describe('encodeResponse', () => {
  it('a value for one output: named output-1, or after the only declared output', () => {
    expect(encodeResponse(Float32Array.of(1, 2)).outputs[0]).toMatchObject({name: 'output-1', datatype: 'FP32', shape: [2, 1], parameters: {content_type: 'np'}})
    expect(encodeResponse(['a', 'b'], {outputs: [{name: 'label', datatype: 'BYTES'}]}).outputs[0]).toMatchObject({name: 'label', parameters: {content_type: 'str'}})
    expect(encodeResponse([1.5], {outputs: [{name: 'p', datatype: 'FP32'}]}).outputs[0]).toMatchObject({name: 'p', datatype: 'FP32'})
  })

  it('an object: one output per key, each by its value', () => {
    const {outputs} = encodeResponse({
      scores: [[0.1, 0.9]],
      label: ['cat'],
      when: [new Date(0)],
      raw: [Uint8Array.of(104, 105)],
      exact: {datatype: 'INT8', shape: [2], data: [1, 2]},
    })
    expect(outputs.map((o) => [o.name, o.datatype, o.shape, o.parameters?.content_type])).toEqual([
      ['scores', 'FP64', [1, 2], 'np'],
      ['label', 'BYTES', [1, 1], 'str'],
      ['when', 'BYTES', [1, 1], 'datetime'],
      ['raw', 'BYTES', [1, 1], 'base64'],
      ['exact', 'INT8', [2, 1], 'np'],
    ])
    expect(decodeUtf8(outputs[3].data[0] as Uint8Array)).toBe('aGk=')
  })

  it("an output's declared content type and datatype win over its value", () => {
    const settings = {outputs: [{name: 'ids', datatype: 'INT32' as const}, {name: 'blob', parameters: {content_type: 'np'}}]}
    const {outputs} = encodeResponse({ids: [1, 2], blob: [Uint8Array.of(1)]}, settings)
    expect(outputs[0]).toMatchObject({datatype: 'INT32'})
    expect(outputs[1]).toMatchObject({datatype: 'BYTES', parameters: {content_type: 'np'}})
  })

  it('a Table: pd', () => {
    expect(encodeResponse(new Table({a: [1]})).parameters).toEqual({content_type: 'pd'})
  })

  it('refuses what no codec encodes, naming the output', () => {
    expect(() => encodeResponse(42)).toThrow(/cannot encode 42 as a response/)
    expect(() => encodeResponse({x: {y: 1}})).toThrow(/output "x": no content type encodes an object/)
    expect(() => encodeOutput('x', [1], {outputs: [{name: 'x', parameters: {content_type: 'yaml'}}]})).toThrow(/output "x": unknown content type "yaml"/)
  })
})
