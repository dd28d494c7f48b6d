/** The two header parsers of REST compression: a body's Content-Encoding, and the coding an Accept-Encoding asks for. */
import zlib from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {MlsError} from '../../../src/errors.js'
import {bodyEncoding} from '../../../src/server/rest/content-encoding.js'
import {isZlibHeader} from '../../../src/server/rest/inflate-body.js'
import {chooseCoding} from '../../../src/server/rest/response-compression.js'

describe('bodyEncoding (Content-Encoding)', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['identity', 'identity'],
    ['gzip', 'gzip'],
    [' GZip ', 'gzip'],
    ['x-gzip', 'gzip'],
    ['deflate', 'deflate'],
  ] as const)('%j is %s', (header, coding) => {
    expect(bodyEncoding(header)).toBe(coding)
  })

  it.each(['br', 'compress', 'zstd', 'gzip, deflate', 'gzip,gzip', 'toString', '__proto__'])('%j is 415 UNSUPPORTED_CONTENT_ENCODING listing the supported codings', (header) => {
    let thrown: unknown
    try {
      bodyEncoding(header)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(MlsError)
    expect((thrown as MlsError).code).toBe('UNSUPPORTED_CONTENT_ENCODING')
    expect((thrown as MlsError).kind).toBe('unsupported_media_type')
    expect((thrown as MlsError).message).toMatch(/gzip, deflate, identity$/)
  })
})

describe('isZlibHeader', () => {
  it('tells zlib.compress output from a raw deflate stream, at every level', () => {
    const text = Buffer.from('{"inputs":[{"name":"x","shape":[3],"datatype":"FP32","data":[1,2,3]}]}')
    for (let level = 0; level <= 9; level++) {
      const wrapped = zlib.deflateSync(text, {level})
      const raw = zlib.deflateRawSync(text, {level})
      expect(isZlibHeader(wrapped[0], wrapped[1])).toBe(true)
      expect(isZlibHeader(raw[0], raw[1])).toBe(false)
    }
  })
})

describe('chooseCoding (Accept-Encoding)', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['gzip', 'gzip'],
    ['deflate', 'deflate'],
    ['deflate, gzip', 'gzip'],
    ['gzip;q=0.4, deflate;q=0.5', 'deflate'],
    ['gzip ; q=0.5 , deflate ; q=0.5', 'gzip'],
    ['*', 'gzip'],
    ['*;q=0.1, gzip;q=0', 'deflate'],
    ['*;q=0', undefined],
    ['gzip;q=0', undefined],
    ['identity, br', undefined],
    ['gzip;q=abc', undefined],
    ['gzip;q=2', undefined],
    ['x-gzip', 'gzip'],
  ] as const)('%j answers %s', (header, coding) => {
    expect(chooseCoding(header)).toBe(coding)
  })
})
