import {describe, expect, it} from 'vitest'
import {ConnectionTable, type TrackedConnection} from '../../../../src/server/connections/connection-table.js'

function table(max: number) {
  const counted = {refused: 0, evicted: 0}
  const closed: string[] = []
  const t = new ConnectionTable({transport: 'rest', max, observer: {connectionRefused: () => counted.refused++, connectionEvicted: () => counted.evicted++}})
  const open = (name: string): TrackedConnection | undefined => t.admit(() => closed.push(name))
  return {t, counted, closed, open}
}

describe('ConnectionTable', () => {
  it('admits up to the cap without closing anything', () => {
    const {t, counted, closed, open} = table(3)
    for (const name of ['a', 'b', 'c']) expect(open(name)).toBeDefined()
    expect(t.size).toBe(3)
    expect(closed).toEqual([])
    expect(counted).toEqual({refused: 0, evicted: 0})
  })

  it('at the cap, closes the quietest non-busy connection: the oldest never used before one used since', () => {
    const {t, counted, closed, open} = table(3)
    const a = open('a')!
    open('b')
    open('c')
    a.begin()
    a.end() // a was active last: b (connected, never used) is now the quietest
    expect(open('d')).toBeDefined()
    expect(closed).toEqual(['b'])
    expect(open('e')).toBeDefined()
    expect(closed).toEqual(['b', 'c'])
    expect(t.size).toBe(3)
    expect(counted).toEqual({refused: 0, evicted: 2})
  })

  it('never closes a busy connection; when all are busy the new one is refused', () => {
    const {t, counted, closed, open} = table(2)
    const a = open('a')!
    const b = open('b')!
    a.begin()
    b.begin()
    expect(open('c')).toBeUndefined()
    expect(closed).toEqual([])
    expect(counted).toEqual({refused: 1, evicted: 0})
    expect(t.busyConnections).toBe(2)
    b.end()
    expect(open('d')).toBeDefined()
    expect(closed).toEqual(['b'])
  })

  it('pipelined requests: busy until the last ends', () => {
    const {closed, open} = table(1)
    const a = open('a')!
    a.begin()
    a.begin()
    a.end()
    expect(open('b')).toBeUndefined()
    a.end()
    expect(open('c')).toBeDefined()
    expect(closed).toEqual(['a'])
  })

  it('a closed connection leaves the table once, busy or not; ends after it change nothing', () => {
    const {t, open} = table(5)
    const a = open('a')!
    const b = open('b')!
    a.begin()
    a.remove()
    a.remove()
    a.end()
    b.remove()
    expect(t.size).toBe(0)
    expect(t.busyConnections).toBe(0)
  })

  it('an evicted connection that reports its close later is not counted twice', () => {
    const {t, open} = table(1)
    const a = open('a')!
    open('b')
    a.remove()
    expect(t.size).toBe(1)
  })
})
