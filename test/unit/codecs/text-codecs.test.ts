/** `str`, `base64` and `datetime`: BYTES only (every other datatype is a 400), round trips, and what they refuse. */
import {describe, expect, it} from 'vitest'
import {Base64Codec} from '../../../src/codecs/base64.js'
import type {InputCodec} from '../../../src/codecs/codec.js'
import {DatetimeCodec} from '../../../src/codecs/datetime.js'
import {StringCodec, StringRequestCodec} from '../../../src/codecs/string.js'
import {decodeUtf8} from '../../../src/protocol/bytes.js'
import {ALL_DATATYPES, SAMPLES, statusOf, wire, wireTensor} from './helpers.js'

const bytes = (data: readonly unknown[], shape = [data.length]) => wireTensor('t', 'BYTES', shape, data)

describe.each([
  ['str', StringCodec],
  ['base64', Base64Codec],
  ['datetime', DatetimeCodec],
])('%s', (contentType, codec) => {
  it.each(ALL_DATATYPES.filter((d) => d !== 'BYTES'))(`refuses %s with a 400 (it reads BYTES only)`, (datatype) => {
    const error = statusOf(() => codec.decode(wireTensor('t', datatype, [4], SAMPLES[datatype])))
    expect(error).toMatchObject({status: 400, code: 'INVALID_DATATYPE'})
    expect(error.message).toBe(`input "t" (content type ${contentType}): expected datatype BYTES, found ${datatype}`)
  })

  it('refuses invalid UTF-8 with a 400', () => {
    const error = statusOf(() => codec.decode({name: 't', datatype: 'BYTES', shape: [1], data: [Uint8Array.of(0xff, 0xfe)]}))
    expect(error).toMatchObject({status: 400, code: 'INVALID_DATA'})
    expect(error.message).toMatch(/element 0 is not valid UTF-8 text/)
  })

  it('tags its outputs with its content type', () => {
    const value = {str: ['a'], base64: [Uint8Array.of(1)], datetime: [new Date(0)]}[contentType]
    expect(codec.encode('out', value as never).parameters).toEqual({content_type: contentType})
  })
})

describe('str', () => {
  it('round-trips UTF-8 text; a list of N goes out as [N, 1], nested arrays keep their shape', () => {
    const texts = SAMPLES.BYTES as string[]
    expect(StringCodec.decode(bytes(texts, [2, 2]))).toEqual(texts)
    const out = StringCodec.encode('out', texts)
    expect(out).toMatchObject({datatype: 'BYTES', shape: [4, 1]})
    expect(wire(out).data).toEqual(texts)
    expect(StringCodec.encode('out', [['a', 'b'], ['c', 'd']] as never).shape).toEqual([2, 2])
  })

  it('refuses non-strings when encoding', () => {
    expect(() => StringCodec.encode('out', ['a', 1] as never)).toThrow(/output "out" \(content type str\): element 1 is 1, expected strings/)
  })

  it('at request level: the only input as strings', () => {
    expect(StringRequestCodec.decodeRequest({id: '1', inputs: [bytes(['hi'])]}, new Map())).toEqual(['hi'])
  })
})

describe('base64', () => {
  it('round-trips every byte value', () => {
    const all = Uint8Array.from({length: 256}, (_, i) => i)
    const out = Base64Codec.encode('out', [all, new Uint8Array(0), Uint8Array.of(1, 2)])
    expect(out.shape).toEqual([3, 1])
    const text = wire(out).data as string[]
    expect(text[0]).toBe(Buffer.from(all).toString('base64'))
    expect(Base64Codec.decode(bytes(text))).toEqual([all, new Uint8Array(0), Uint8Array.of(1, 2)])
  })

  it('refuses text that is not padded standard base64 with a 400', () => {
    for (const text of ['abc', 'ab$=', 'YQ', 'YQ==YQ==', 'a-_b']) {
      const error = statusOf(() => Base64Codec.decode(bytes([text])))
      expect(error, text).toMatchObject({status: 400, code: 'INVALID_DATA'})
      expect(error.message).toMatch(/element 0 is not base64/)
    }
  })

  it('refuses values that are not Uint8Arrays when encoding', () => {
    expect(() => Base64Codec.encode('out', ['abc'] as never)).toThrow(/expected Uint8Arrays/)
  })
})

describe('datetime', () => {
  it('round-trips Dates as ISO-8601 UTC text', () => {
    const dates = [new Date('2024-02-29T12:34:56.789Z'), new Date(0), new Date('1999-12-31T23:59:59Z')]
    const out = DatetimeCodec.encode('when', dates)
    expect(wire(out).data).toEqual(['2024-02-29T12:34:56.789Z', '1970-01-01T00:00:00.000Z', '1999-12-31T23:59:59.000Z'])
    expect(DatetimeCodec.decode(bytes(wire(out).data))).toEqual(dates)
  })

  it('reads the ISO-8601 forms Python writes: dates, offsets, fractions; no offset is UTC', () => {
    const read = (text: string) => DatetimeCodec.decode(bytes([text]))[0].toISOString()
    expect(read('2021-08-24')).toBe('2021-08-24T00:00:00.000Z')
    expect(read('2021-08-24T15:01:19')).toBe('2021-08-24T15:01:19.000Z')
    expect(read('2021-08-24 15:01')).toBe('2021-08-24T15:01:00.000Z')
    expect(read('2021-08-24T15:01:19.123456+02:00')).toBe('2021-08-24T13:01:19.123Z')
    expect(read('2021-08-24T15:01:19-0530')).toBe('2021-08-24T20:31:19.000Z')
    expect(read('2021-08-24T15:01:19Z')).toBe('2021-08-24T15:01:19.000Z')
  })

  it('refuses text that is no date with a 400', () => {
    for (const text of ['yesterday', '2021-02-30', '2021-13-01', '2021-08-24T25:00', '24/08/2021', '2021-08-24T10:00+25:00']) {
      const error = statusOf(() => DatetimeCodec.decode(bytes([text])))
      expect(error, text).toMatchObject({status: 400, code: 'INVALID_DATA'})
      expect(error.message).toMatch(/is not an ISO-8601 date-time/)
    }
  })

  it('sends ISO strings as they are, and refuses invalid Dates and other text', () => {
    // As the registry holds it (InputCodec<unknown>): an output declared `datetime` reaches encode as whatever the
    // runtime returned, strings included.
    const codec: InputCodec = DatetimeCodec
    expect(decodeUtf8(codec.encode('w', ['2021-08-24T10:00:00+01:00']).data[0] as Uint8Array)).toBe('2021-08-24T10:00:00+01:00')
    expect(() => codec.encode('w', [new Date('nope')])).toThrow(/element 0 is an invalid Date/)
    expect(() => codec.encode('w', ['soon'])).toThrow(/element 0 is not ISO-8601 text/)
  })
})
