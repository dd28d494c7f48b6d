import {describe, expect, it} from 'vitest'
import {CliError} from '../../../src/cli/cli-error.js'
import {decodeBinaryResponse, encodeBinaryRequest} from '../../../src/client/binary-body.js'
import {decodeRaw, RawBytes} from '../../../src/protocol/raw.js'
import {parseBinaryBody} from '../../../src/server/rest/binary-body.js'
import {encodeRestResponse} from '../../../src/server/rest/binary-response.js'

describe('the REST binary tensor data extension, client side', () => {
  it("encodes every input as bytes that the server's parser reads back", () => {
    const request = {
      id: 'r1',
      inputs: [
        {name: 'x', datatype: 'FP32', shape: [2, 2], data: [[0.5, 1], [2, -3]]},
        {name: 'n', datatype: 'INT64', shape: [2], data: [7, -1]},
        {name: 's', datatype: 'BYTES', shape: [2], data: ['hi', 'ü']},
      ],
    }
    const {body, headerLength} = encodeBinaryRequest(request)
    const parsed = parseBinaryBody(body, String(headerLength)) as {id: string; parameters: Record<string, unknown>; inputs: Array<{name: string; data: RawBytes; parameters: {binary_data_size: number}}>}
    expect(parsed.id).toBe('r1')
    expect(parsed.parameters).toEqual({binary_data_output: true})
    expect(parsed.inputs.map((i) => i.parameters.binary_data_size)).toEqual([16, 16, 4 + 2 + 4 + 2])
    expect(Array.from(decodeRaw(parsed.inputs[0].data.bytes, 'FP32', 4, 'x') as Float32Array)).toEqual([0.5, 1, 2, -3])
    expect(Array.from(decodeRaw(parsed.inputs[1].data.bytes, 'INT64', 2, 'n') as BigInt64Array)).toEqual([7n, -1n])
    expect((decodeRaw(parsed.inputs[2].data.bytes, 'BYTES', 2, 's') as Uint8Array[]).map((b) => Buffer.from(b).toString())).toEqual(['hi', 'ü'])
  })

  it('a value the datatype cannot take is a usage error naming the input', () => {
    expect(() => encodeBinaryRequest({inputs: [{name: 'x', datatype: 'INT8', shape: [1], data: [300]}]})).toThrow(CliError)
    expect(() => encodeBinaryRequest({inputs: [{name: 'x', datatype: 'INT8', shape: [1], data: [300]}]})).toThrow(/input "x": element 0/)
  })

  it("reads the server's binary answer back into the JSON response shape", () => {
    const result = {
      model_name: 'm',
      id: 'r1',
      outputs: [
        {name: 'y', datatype: 'FP32' as const, shape: [1, 3], data: new Float32Array([1.5, 2, 3])},
        {name: 'label', datatype: 'INT64' as const, shape: [1, 1], data: new BigInt64Array([8n])},
      ],
    }
    const encoded = encodeRestResponse(result, {parameters: {binary_data_output: true}})
    if (encoded.kind !== 'binary') throw new Error('expected a binary answer')
    expect(decodeBinaryResponse(encoded.body, encoded.headerLength)).toEqual({
      model_name: 'm',
      id: 'r1',
      outputs: [
        {name: 'y', datatype: 'FP32', shape: [1, 3], data: [1.5, 2, 3]},
        {name: 'label', datatype: 'INT64', shape: [1, 1], data: [8]},
      ],
    })
  })
})

describe('gRPC raw contents on request (--binary over gRPC)', () => {
  it('puts every input in raw_input_contents and no typed contents', async () => {
    const {toModelInferRequest} = await import('../../../src/client/grpc-convert.js')
    const body = {inputs: [{name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2]}]}
    const raw = toModelInferRequest('m', undefined, body, {raw: true})
    expect(raw.inputs[0]).not.toHaveProperty('contents')
    expect(Array.from(new Float32Array(new Uint8Array(raw.raw_input_contents[0]).buffer))).toEqual([1, 2])
    const typed = toModelInferRequest('m', undefined, body)
    expect(typed.inputs[0]).toHaveProperty('contents', {fp32_contents: [1, 2]})
    expect(typed.raw_input_contents).toEqual([])
  })
})
