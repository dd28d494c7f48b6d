import {describe, expect, it} from 'vitest'
import {formatAgo, formatMemorySize, formatResidency} from '../../../src/cli/memory-cells.js'
import {repositoryTable} from '../../../src/cli/repo-rows.js'
import {indexMemoryFields, readIndexMemoryFields} from '../../../src/memory/index-fields.js'
import type {RepositoryIndexItem} from '../../../src/protocol/types.js'

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001B\[\d+m/g, '')
const lines = (text: string) => plain(text).split('\n')
const MIB = 1024 * 1024
const NOW = Date.parse('2025-01-02T03:04:05.000Z')
const EVICTED = 'evicted (least recently used); loads on the next request'
const NEVER = 'not in memory; loads on the next request'

/** Index items as a server with a budget sends them (NOT_LOADED is a state of that server, not of our type yet). */
const item = (fields: Record<string, unknown>) => fields as unknown as RepositoryIndexItem

describe('repo list rows', () => {
  it('are as they were when the items carry no memory fields (no budget)', () => {
    const text = repositoryTable([{name: 'iris', version: '1', state: 'READY', reason: ''}, {name: 'broken', state: 'UNAVAILABLE', reason: 'no model file'}])
    expect(lines(text)).toEqual([
      'NAME    VERSION  STATE        REASON',
      'iris    1        READY',
      'broken  -        UNAVAILABLE  no model file',
    ])
  })

  it('show size (~ when estimated), residency and last used when the items carry them', () => {
    const items = [
      item({name: 'hot', version: '1', state: 'READY', reason: '', memory_bytes: 12 * MIB, memory_source: 'measured', last_used: new Date(NOW - 3000).toISOString()}),
      item({name: 'base', state: 'READY', reason: '', memory_bytes: 2048, memory_source: 'stated', pinned: true, last_used: new Date(NOW - 7 * 60_000).toISOString()}),
      item({name: 'cold', state: 'NOT_LOADED', reason: NEVER, memory_bytes: 12.3 * MIB, memory_source: 'estimated'}),
      item({name: 'gone', state: 'NOT_LOADED', reason: EVICTED, memory_bytes: 1536, memory_source: 'measured', last_used: new Date(NOW - 2 * 3600_000).toISOString()}),
    ]
    expect(lines(repositoryTable(items, NOW))).toEqual([
      'NAME  VERSION  STATE       SIZE       RESIDENCY   LAST USED  REASON',
      'hot   1        READY       12 MiB     in memory   3 s ago',
      'base  -        READY       2 KiB      pinned      7 min ago',
      `cold  -        NOT_LOADED  ~12.3 MiB  not loaded  -          ${NEVER}`,
      `gone  -        NOT_LOADED  1.5 KiB    evicted     2 h ago    ${EVICTED}`,
    ])
  })

  it('show "-" for an item without memory fields among items with them', () => {
    const items = [item({name: 'a', state: 'READY', reason: '', memory_bytes: 100, memory_source: 'measured'}), item({name: 'b', state: 'UNAVAILABLE', reason: 'failed'})]
    expect(lines(repositoryTable(items, NOW))[2]).toBe('b     -        UNAVAILABLE  -      -          -          failed')
  })
})

describe('memory cells', () => {
  it('write sizes, residency and ages', () => {
    expect(formatMemorySize({memory_bytes: 12 * MIB, memory_source: 'estimated'})).toBe('~12 MiB')
    expect(formatMemorySize({memory_bytes: 512, memory_source: 'stated'})).toBe('512 B')
    expect(formatResidency('READY', '', false)).toBe('in memory')
    expect(formatResidency('READY', '', true)).toBe('pinned')
    expect(formatResidency('NOT_LOADED', EVICTED, true)).toBe('evicted')
    expect(formatResidency('LOADING', '', false)).toBe('loading')
    expect(formatResidency('UNAVAILABLE', 'x', false)).toBe('-')
    expect([undefined, NOW, NOW - 999, NOW - 59_999, NOW - 60_000, NOW - 3600_000 * 25, NOW + 5000].map((t) => formatAgo(t, NOW))).toEqual([
      '-',
      'now',
      'now',
      '59 s ago',
      '1 min ago',
      '1 d ago',
      'now',
    ])
  })

  it('index fields: written from a version memory, read back; wrong types are left out', () => {
    const written = indexMemoryFields({name: 'm', bytes: 42, source: 'estimated', resident: false, pinned: true, lastUsed: NOW})
    expect(written).toEqual({memory_bytes: 42, memory_source: 'estimated', pinned: true, last_used: '2025-01-02T03:04:05.000Z'})
    expect(indexMemoryFields({name: 'm', bytes: 1, source: 'measured', resident: true, pinned: false})).toEqual({memory_bytes: 1, memory_source: 'measured'})
    expect(readIndexMemoryFields(JSON.parse(JSON.stringify({name: 'm', state: 'READY', ...written})))).toEqual(written)
    expect(readIndexMemoryFields({name: 'm'})).toBeUndefined()
    expect(readIndexMemoryFields({memory_bytes: '12'})).toBeUndefined()
    expect(readIndexMemoryFields({memory_bytes: 5, memory_source: 'guessed', pinned: 'yes', last_used: 'yesterday'})).toEqual({memory_bytes: 5, memory_source: 'measured'})
  })
})
