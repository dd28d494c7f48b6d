/** A runtime's own content type: registered, used to decode and encode, found by its value, replaced on reload. */
import {describe, expect, it} from 'vitest'
import type {InputCodec} from '../../../src/codecs/codec.js'
import {decodeRequest} from '../../../src/codecs/decode-request.js'
import {encodeResponse} from '../../../src/codecs/encode-response.js'
import {CodecRegistry} from '../../../src/codecs/registry.js'
import {decodeUtf8, encodeUtf8} from '../../../src/protocol/bytes.js'
import {wireTensor} from './helpers.js'

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const pointCodec = (tag: string): InputCodec<Point[]> => ({
  contentType: 'point',
  canEncode: (value) => Array.isArray(value) && value.every((v) => v instanceof Point),
  decode: (tensor) => (tensor.data as Uint8Array[]).map((b) => new Point(...(decodeUtf8(b).split(',').map(Number) as [number, number]))),
  encode: (name, points) => ({name, datatype: 'BYTES', shape: [points.length, 1], data: points.map((p) => encodeUtf8(`${p.x},${p.y}${tag}`)), parameters: {content_type: 'point'}}),
})

describe('CodecRegistry', () => {
  it('decodes and encodes with a registered content type, found by name or by value', () => {
    const registry = CodecRegistry.withBuiltins()
    registry.registerInputCodec(pointCodec('') as InputCodec)
    const decoded = decodeRequest({id: '1', inputs: [wireTensor('p', 'BYTES', [1], ['1,2'], {content_type: 'point'})]}, {registry})
    expect(decoded.p).toEqual([new Point(1, 2)])
    expect(encodeResponse({q: [new Point(3, 4)]}, {registry}).outputs[0].parameters).toEqual({content_type: 'point'})
    expect(registry.contentTypes().input).toEqual(['np', 'str', 'base64', 'datetime', 'point'])
  })

  it('registering a content type again replaces it', () => {
    const registry = CodecRegistry.withBuiltins()
    registry.registerInputCodec(pointCodec('') as InputCodec)
    registry.registerInputCodec(pointCodec('!') as InputCodec)
    const out = encodeResponse({q: [new Point(1, 1)]}, {registry}).outputs[0]
    expect(decodeUtf8(out.data[0] as Uint8Array)).toBe('1,1!')
  })

  it('refuses a codec without a content type or methods', () => {
    const registry = new CodecRegistry()
    expect(() => registry.registerInputCodec({} as never)).toThrow(/contentType must be a non-empty string/)
    expect(() => registry.registerRequestCodec({contentType: 'x', canEncode: () => false} as never)).toThrow(/request codec "x": missing decodeRequest, encodeResponse/)
  })
})
