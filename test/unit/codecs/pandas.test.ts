/** `pd`: one input per column, every datatype as a column, the column shapes, and the encoding MLServer uses. */
import {describe, expect, it} from 'vitest'
import {decodeRequest} from '../../../src/codecs/decode-request.js'
import {encodeResponse} from '../../../src/codecs/encode-response.js'
import {PandasCodec} from '../../../src/codecs/pandas.js'
import {Table} from '../../../src/codecs/table.js'
import type {InferRequest} from '../../../src/protocol/types.js'
import {ALL_DATATYPES, SAMPLES, statusOf, wire, wireTensor} from './helpers.js'

const pd = {content_type: 'pd'}

describe('pd', () => {
  it('decodes every datatype as a column, and encodes it back to the same JSON', () => {
    const request: InferRequest = {id: '1', parameters: pd, inputs: ALL_DATATYPES.map((d) => wireTensor(d.toLowerCase(), d, [4, 1], SAMPLES[d]))}
    const table = decodeRequest<Table>(request)
    expect(table).toBeInstanceOf(Table)
    expect(table.columns).toEqual(ALL_DATATYPES.map((d) => d.toLowerCase()))
    expect(table.length).toBe(4)
    expect(table.column('bool')).toEqual([true, false, false, true])
    expect(table.column('bytes')).toEqual(SAMPLES.BYTES)
    expect(table.column('int64')).toBeInstanceOf(BigInt64Array)
    expect(table.rows()[0]).toMatchObject({bool: true, uint8: 0, bytes: 'a', fp64: Math.PI})

    const result = encodeResponse(table, {outputs: [{name: 'fp16', datatype: 'FP16'}]})
    expect(result.parameters).toEqual(pd)
    for (const [i, datatype] of ALL_DATATYPES.entries()) {
      const output = result.outputs[i]
      // FP16 columns come back as FP32 arrays unless the declared output says FP16.
      expect(output, datatype).toMatchObject({name: datatype.toLowerCase(), datatype, shape: [4, 1]})
      expect(wire(output).data).toEqual(SAMPLES[datatype].map((v) => (v === null ? NaN : v)))
    }
    // As MLServer: string columns are tagged str, numeric columns carry no content type.
    expect(result.outputs.find((o) => o.name === 'bytes')!.parameters).toEqual({content_type: 'str'})
    expect(result.outputs.find((o) => o.name === 'fp64')!.parameters).toBeUndefined()
  })

  it('takes [N] and [N, 1] columns, and decodes a column by its own content type', () => {
    const request: InferRequest = {
      id: '1',
      parameters: pd,
      inputs: [wireTensor('a', 'FP32', [2], [1, 2]), wireTensor('when', 'BYTES', [2, 1], ['2024-01-01', '2024-01-02'], {content_type: 'datetime'})],
    }
    const table = decodeRequest<Table>(request)
    expect(table.column('when')).toEqual([new Date('2024-01-01T00:00:00Z'), new Date('2024-01-02T00:00:00Z')])
    const out = encodeResponse(table)
    expect(out.outputs[1]).toMatchObject({name: 'when', datatype: 'BYTES', shape: [2, 1], parameters: {content_type: 'datetime'}})
  })

  it('refuses a column that is not [N] or [N, 1], and columns of different lengths, with a 400', () => {
    const wide = statusOf(() => decodeRequest({id: '1', parameters: pd, inputs: [wireTensor('a', 'FP32', [2, 3], [1, 2, 3, 4, 5, 6])]}))
    expect(wide).toMatchObject({status: 400, code: 'INVALID_SHAPE'})
    expect(wide.message).toBe('input "a" (content type pd): shape [2,3] is not a column: expected [N] or [N, 1]')
    const ragged = statusOf(() => decodeRequest({id: '1', parameters: pd, inputs: [wireTensor('a', 'FP32', [2], [1, 2]), wireTensor('b', 'FP32', [3], [1, 2, 3])]}))
    expect(ragged).toMatchObject({status: 400, code: 'INVALID_SHAPE'})
    expect(ragged.message).toBe('content type pd: the columns differ in length ("a": 2, "b": 3)')
  })

  it('refuses invalid UTF-8 in a text column with a 400', () => {
    const error = statusOf(() => decodeRequest({id: '1', parameters: pd, inputs: [{name: 's', datatype: 'BYTES', shape: [1], data: [Uint8Array.of(0xc3)]}]}))
    expect(error).toMatchObject({status: 400, code: 'INVALID_DATA'})
  })

  it('encodes plain columns: numbers FP64 (the declared datatype when there is one), booleans, strings, byte strings', () => {
    const table = new Table({n: [1, null, 3], flag: [true, false, true], name: ['a', 'b', 'c'], blob: [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]})
    const out = encodeResponse(table, {outputs: [{name: 'n', datatype: 'FP32'}]}).outputs
    expect(out.map((o) => [o.name, o.datatype, o.parameters?.content_type])).toEqual([
      ['n', 'FP32', undefined],
      ['flag', 'BOOL', undefined],
      ['name', 'BYTES', 'str'],
      ['blob', 'BYTES', 'base64'],
    ])
    expect(() => encodeResponse(new Table({mixed: [1, 'a']}))).toThrow(/output "mixed" \(content type pd\): a column holds one kind of value/)
  })

  it('tells a Table from other values', () => {
    expect(PandasCodec.canEncode(new Table({a: [1]}))).toBe(true)
    expect(PandasCodec.canEncode({a: [1]})).toBe(false)
  })
})

describe('Table', () => {
  it('builds from columns or rows and refuses columns of different lengths', () => {
    const t = Table.fromRows([{a: 1, b: 'x'}, {a: 2, b: 'y'}])
    expect(t.columns).toEqual(['a', 'b'])
    expect(t.column('b')).toEqual(['x', 'y'])
    expect(t.cell(1, 'a')).toBe(2)
    expect(new Table([['0', [1]], ['z', [2]]]).columns).toEqual(['0', 'z'])
    expect(() => new Table({a: [1, 2], b: [1]})).toThrow(/columns differ in length \(a: 2, b: 1\)/)
    expect(() => t.column('c')).toThrow(/no column "c" \(columns: a, b\)/)
  })
})
