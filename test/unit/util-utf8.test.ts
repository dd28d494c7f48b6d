import {isUtf8} from 'node:buffer'
import {describe, expect, it} from 'vitest'
import {firstInvalidUtf8} from '../../src/util/utf8.js'

describe('firstInvalidUtf8', () => {
  it('is -1 for well-formed text of 1 to 4-byte characters', () => {
    expect(firstInvalidUtf8(Buffer.from('a é € 𝄞 日本語 \u{10FFFF}'))).toBe(-1)
    expect(firstInvalidUtf8(new Uint8Array())).toBe(-1)
  })

  it('names the start of the first malformed sequence', () => {
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xff]))).toBe(1)
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xc3]))).toBe(2) // truncated at the end
    expect(firstInvalidUtf8(Buffer.from([0xc3, 0x28]))).toBe(0) // bad continuation
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0) // overlong
    expect(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0xaf]))).toBe(0) // overlong, 3 bytes
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1) // surrogate
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0) // past U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0xe2, 0x82, 0xac, 0x80]))).toBe(3) // stray continuation
  })

  it('agrees with node:buffer isUtf8 on 20,000 random byte strings', () => {
    let seed = 20261205
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (let n = 0; n < 20_000; n++) {
      const bytes = Uint8Array.from({length: 1 + Math.floor(random() * 8)}, () => (random() < 0.5 ? 0x80 + Math.floor(random() * 0x80) : Math.floor(random() * 0x100)))
      const at = firstInvalidUtf8(bytes)
      expect(at === -1, Buffer.from(bytes).toString('hex')).toBe(isUtf8(bytes))
      if (at >= 0) expect(isUtf8(bytes.subarray(0, at))).toBe(true)
    }
  })
})
