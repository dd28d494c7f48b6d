/** Per-key debouncing on fake timers: one fire per burst, keys independent, close cancels. */
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {KeyedDebouncer} from '../../../src/watch/debounce.js'

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('KeyedDebouncer', () => {
  it('fires a key once, the delay after its last schedule', () => {
    const fired: string[] = []
    const debouncer = new KeyedDebouncer<string>(250, (key) => fired.push(key))
    debouncer.schedule('a')
    vi.advanceTimersByTime(200)
    debouncer.schedule('a')
    vi.advanceTimersByTime(200)
    debouncer.schedule('a')
    vi.advanceTimersByTime(249)
    expect(fired).toEqual([])
    expect(debouncer.pending).toBe(1)
    vi.advanceTimersByTime(1)
    expect(fired).toEqual(['a'])
    expect(debouncer.pending).toBe(0)
    vi.advanceTimersByTime(1000)
    expect(fired).toEqual(['a'])
  })

  it('keeps keys apart: a busy key does not hold back a quiet one', () => {
    const fired: string[] = []
    const debouncer = new KeyedDebouncer<string>(250, (key) => fired.push(key))
    debouncer.schedule('busy')
    debouncer.schedule('quiet')
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(100)
      debouncer.schedule('busy')
    }
    expect(fired).toEqual(['quiet'])
    vi.advanceTimersByTime(250)
    expect(fired).toEqual(['quiet', 'busy'])
  })

  it('a key scheduled again after firing fires again', () => {
    const fired: string[] = []
    const debouncer = new KeyedDebouncer<string>(50, (key) => fired.push(key))
    debouncer.schedule('a')
    vi.advanceTimersByTime(50)
    debouncer.schedule('a')
    vi.advanceTimersByTime(50)
    expect(fired).toEqual(['a', 'a'])
  })

  it('close cancels pending keys and ignores later schedules', () => {
    const fired: string[] = []
    const debouncer = new KeyedDebouncer<string>(50, (key) => fired.push(key))
    debouncer.schedule('a')
    debouncer.close()
    debouncer.schedule('b')
    vi.advanceTimersByTime(1000)
    expect(fired).toEqual([])
    expect(debouncer.pending).toBe(0)
  })
})
