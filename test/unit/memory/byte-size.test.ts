import {describe, expect, it} from 'vitest'
import {z} from 'zod'
import {byteSize, formatBytes, parseByteSize} from '../../../src/memory/byte-size.js'
import {formatIssues} from '../../../src/util/zod-issues.js'

const bytes = (value: unknown) => {
  const parsed = parseByteSize(value)
  return parsed.ok ? parsed.bytes : parsed.problem
}

describe('parseByteSize', () => {
  it('reads numbers of bytes and strings with 1024-based and 1000-based units, any case, spaces allowed', () => {
    expect(bytes(1024)).toBe(1024)
    expect(bytes('1024')).toBe(1024)
    expect(bytes(' 1024 B ')).toBe(1024)
    expect(bytes('512MiB')).toBe(512 * 2 ** 20)
    expect(bytes('512 mib')).toBe(512 * 2 ** 20)
    expect(bytes('1.5 GiB')).toBe(1.5 * 2 ** 30)
    expect(bytes('64 KiB')).toBe(65536)
    expect(bytes('64Ki')).toBe(65536)
    expect(bytes('2Gi')).toBe(2 * 2 ** 30)
    expect(bytes('512MB')).toBe(512e6)
    expect(bytes('1 kb')).toBe(1000)
    expect(bytes('3GB')).toBe(3e9)
    expect(bytes('1TiB')).toBe(2 ** 40)
    expect(bytes('.5KiB')).toBe(512)
    expect(bytes(0)).toBe(0)
  })

  it('rounds a fractional result up to a whole byte', () => {
    expect(bytes('1.1 KiB')).toBe(1127)
    expect(bytes(0.5)).toBe(1)
  })

  it('refuses bare K/M/G as ambiguous, saying what to write', () => {
    expect(bytes('512M')).toBe('"M" is ambiguous (Docker means MiB, Kubernetes MB): write "512MiB" or "512MB"')
    expect(bytes('2g')).toMatch(/write "2GiB" or "2GB"/)
  })

  it('refuses what is not a size', () => {
    for (const bad of ['', 'lots', '12 parsecs', '-1', '1e9', '1,5MiB', 'MiB', null, undefined, true, {}, [], -1, NaN, Infinity]) {
      const parsed = parseByteSize(bad)
      expect(parsed.ok, String(bad)).toBe(false)
    }
    expect(bytes('12 parsecs')).toMatch(/^unknown unit "parsecs": expected a number of bytes or a string like "512MiB"/)
    expect(bytes('99999 PiB')).toMatch(/too large/)
  })
})

describe('byteSize schema', () => {
  const schema = z.object({memory_budget: byteSize(1)})

  it('gives whole bytes', () => {
    expect(schema.parse({memory_budget: '1.5 GiB'})).toEqual({memory_budget: 1610612736})
    expect(schema.parse({memory_budget: 4096})).toEqual({memory_budget: 4096})
  })

  it('says what was expected and what was found', () => {
    const check = (value: unknown) => {
      const input = {memory_budget: value}
      const result = schema.safeParse(input)
      expect(result.success).toBe(false)
      return formatIssues(result.error!, input)
    }
    expect(check('lots')).toBe(
      'memory_budget: expected a number of bytes or a string like "512MiB" (KiB/MiB/GiB are 1024-based, KB/MB/GB 1000-based) (found "lots")',
    )
    expect(check(true)).toMatch(/^memory_budget: expected a number of bytes .* \(found true\)$/)
    expect(check(0)).toBe('memory_budget: expected at least 1 bytes (1 B) (found 0)')
  })
})

describe('formatBytes', () => {
  it('writes 1024-based units with at most one decimal', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1023)).toBe('1023 B')
    expect(formatBytes(1024)).toBe('1 KiB')
    expect(formatBytes(65536)).toBe('64 KiB')
    expect(formatBytes(12.3 * 2 ** 20)).toBe('12.3 MiB')
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5 GiB')
    expect(formatBytes(2 ** 20 - 1)).toBe('1 MiB')
    expect(formatBytes(2 ** 40)).toBe('1 TiB')
    expect(formatBytes(2 ** 52)).toBe('4 PiB')
    expect(formatBytes(2 ** 60)).toBe('1024 PiB')
    expect(formatBytes(-3 * 2 ** 20)).toBe('-3 MiB')
  })

  it('is read back by parseByteSize', () => {
    for (const n of [0, 1, 1000, 4096, 5 * 2 ** 20, 3 * 2 ** 30]) expect(bytes(formatBytes(n).replace(' ', ''))).toBe(n)
  })
})
