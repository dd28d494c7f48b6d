/** The index of several processes as one: each version once, in the best state any process has it in. */
import {describe, expect, it} from 'vitest'
import {mergeIndex} from '../../../src/cluster/merge-index.js'

describe('mergeIndex', () => {
  it('keeps each version once, READY over LOADING over NOT_LOADED over UNAVAILABLE, with that process reason', () => {
    const merged = mergeIndex([
      [
        {name: 'a', version: 'v1', state: 'UNAVAILABLE', reason: 'load failed'},
        {name: 'b', state: 'NOT_LOADED', reason: 'not in memory', last_used: '2026-01-01T00:00:00.000Z'},
      ],
      [
        {name: 'a', version: 'v1', state: 'READY', reason: ''},
        {name: 'b', state: 'LOADING', reason: '', last_used: '2026-01-02T00:00:00.000Z'},
        {name: 'c', state: 'UNAVAILABLE', reason: 'unloaded'},
      ],
    ])
    expect(merged).toEqual([
      {name: 'a', version: 'v1', state: 'READY', reason: ''},
      {name: 'b', state: 'LOADING', reason: '', last_used: '2026-01-02T00:00:00.000Z'},
      {name: 'c', state: 'UNAVAILABLE', reason: 'unloaded'},
    ])
  })
})
