import {describe, expect, it} from 'vitest'
import {JsonDepthScanner} from '../../../src/server/rest/json-depth.js'

/** Scans `text` cut into the given chunk sizes (cycled); the offset of the refusal, or -1. */
function scanIn(text: string, max: number, sizes: number[]): number {
  const bytes = Buffer.from(text)
  const scanner = new JsonDepthScanner(max)
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]
    const found = scanner.scan(bytes.subarray(at, at + size))
    if (found >= 0) return found
    at += size
  }
  return -1
}

/** The true depth of JSON text, for comparison: the deepest open bracket outside strings (JSON.parse validates it). */
function depthOf(text: string): number {
  JSON.parse(text)
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '[' || c === '{') max = Math.max(max, ++depth)
    else if (c === ']' || c === '}') depth--
  }
  return max
}

const SAMPLES = [
  '[[[1]]]',
  '{"a":{"b":[1,{"c":[]}]}}',
  '["[[[[", "{{{{", "\\"[[[", "\\\\", "\\\\\\"[[["]',
  '{"k\\"[":[["]]]]]"]],"x":[[[[0]]]]}',
  '["é€𝄞[[[", [["日本[[["]]]',
  '[' + Array(20).fill('"\\\\"').join(',') + ',[[[[1]]]]]',
]

describe('JsonDepthScanner', () => {
  it('finds the depth of JSON.parse-valid text exactly, however it is cut into chunks (strings and escapes split across chunks)', () => {
    for (const text of SAMPLES) {
      const depth = depthOf(text)
      for (const sizes of [[1], [2], [3], [1, 2, 5], [7], [1000]]) {
        expect(scanIn(text, depth, sizes), `${text} in chunks of ${sizes}`).toBe(-1)
        const at = scanIn(text, depth - 1, sizes)
        expect(at, `${text} limited to ${depth - 1}`).toBeGreaterThanOrEqual(0)
        expect('[{').toContain(Buffer.from(text).subarray(at, at + 1).toString())
      }
    }
  })

  it('names the byte that opens the first level past the limit', () => {
    expect(scanIn('{"a":[[[', 3, [1])).toBe(7)
    expect(scanIn('  [[', 1, [2, 1])).toBe(3)
    expect(scanIn('"' + '['.repeat(10) + '"[[', 1, [4])).toBe(13)
  })

  it('closers without openers never lower the depth below zero (a later run of openers is still counted in full)', () => {
    expect(scanIn(']]]]}}}}' + '['.repeat(5), 4, [3])).toBe(12)
  })

  it('a 60 MB run of "[" is refused at byte 64 of the first chunk', () => {
    const scanner = new JsonDepthScanner(64)
    expect(scanner.scan(Buffer.alloc(64 * 1024, '['))).toBe(64)
  })
})
