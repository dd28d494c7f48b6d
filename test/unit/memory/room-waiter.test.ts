import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {MlsError} from '../../../src/errors.js'
import {MemoryBudget} from '../../../src/memory/memory-budget.js'
import {MemoryExhaustedError} from '../../../src/memory/memory-exhausted.js'
import {RoomWaiter} from '../../../src/memory/room-waiter.js'
import {Abortable} from '../../../src/util/abortable.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

function setup(budget: number, waitTimeoutMs = 30_000) {
  const busy = new Map<string, number>()
  const clock = () => Date.now()
  const memory = new MemoryBudget<string>({budget, minResidencyMs: 1000, clock, inFlight: (key) => busy.get(key) ?? 0})
  const evicted: string[] = []
  const waiter = new RoomWaiter<string>({budget: memory, waitTimeoutMs, clock, evict: (key) => evicted.push(key), describe: (key) => `model "${key}"`})
  /** Loads `key` through the waiter and makes it resident. */
  const load = async (key: string, size: number) => {
    await waiter.acquire(key, size)
    memory.commit(key, size)
  }
  /** What each of the promises has come to so far. */
  const outcomes = (promises: Record<string, Promise<void>>) => {
    const seen: Record<string, string> = {}
    for (const [name, promise] of Object.entries(promises)) {
      seen[name] = 'waiting'
      promise.then(
        () => (seen[name] = 'granted'),
        (error: Error) => (seen[name] = error instanceof MlsError ? error.code : error.message),
      )
    }
    return seen
  }
  return {busy, memory, evicted, waiter, load, outcomes}
}

const flush = () => vi.advanceTimersByTimeAsync(0)

describe('RoomWaiter', () => {
  it('grants at once when there is room, and evicts (LRU) when there is not', async () => {
    const {memory, evicted, waiter, load, outcomes} = setup(100)
    await load('a', 50)
    await vi.advanceTimersByTimeAsync(10)
    await load('b', 50)
    await vi.advanceTimersByTimeAsync(2000)
    const seen = outcomes({c: waiter.acquire('c', 40)})
    await flush()
    expect(evicted).toEqual(['a'])
    expect(seen.c).toBe('waiting')
    memory.release('a')
    await flush()
    expect(seen.c).toBe('granted')
    expect(waiter.waiting).toBe(0)
  })

  it('wakes at the end of a residency, with a timer', async () => {
    const {evicted, waiter, load, outcomes} = setup(100)
    await load('a', 100)
    const seen = outcomes({x: waiter.acquire('x', 10)})
    await vi.advanceTimersByTimeAsync(999)
    expect(evicted).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(evicted).toEqual(['a'])
    expect(seen.x).toBe('waiting')
  })

  it('wakes when told in-flight requests finished', async () => {
    const {busy, evicted, waiter, load} = setup(100)
    await load('a', 100)
    busy.set('a', 1)
    await vi.advanceTimersByTimeAsync(5000)
    void waiter.acquire('x', 10).catch(() => {})
    await flush()
    expect(evicted).toEqual([])
    busy.set('a', 0)
    waiter.wake()
    expect(evicted).toEqual(['a'])
  })

  it('serves waiting loads first in, first out: a later load does not take room the head waits for', async () => {
    const {memory, busy, waiter, load, outcomes} = setup(100)
    await load('a', 60)
    busy.set('a', 1)
    await vi.advanceTimersByTimeAsync(5000)
    // 40 free: "big" (70) must wait for a; "small" (10) would fit, but arrives after it.
    const seen = outcomes({big: waiter.acquire('big', 70), small: waiter.acquire('small', 10)})
    await flush()
    expect(seen).toEqual({big: 'waiting', small: 'waiting'})
    busy.set('a', 0)
    waiter.wake()
    memory.release('a')
    await flush()
    expect(seen).toEqual({big: 'granted', small: 'granted'})
  })

  it('lets loads behind a claim use the room that is left', async () => {
    const {memory, evicted, waiter, load, outcomes} = setup(100)
    await load('a', 50)
    await vi.advanceTimersByTimeAsync(5000)
    await load('b', 30)
    const seen = outcomes({big: waiter.acquire('big', 60), small: waiter.acquire('small', 10)})
    await flush()
    expect(evicted).toEqual(['a'])
    expect(seen).toEqual({big: 'waiting', small: 'granted'})
    memory.release('a')
    await flush()
    expect(seen.big).toBe('granted')
  })

  it('answers MEMORY_EXHAUSTED at once when the load can never fit, and serves the next', async () => {
    const {waiter, outcomes} = setup(100)
    const seen = outcomes({huge: waiter.acquire('huge', 101), fine: waiter.acquire('fine', 100)})
    await flush()
    expect(seen).toEqual({huge: 'MEMORY_EXHAUSTED', fine: 'granted'})
    const error = await waiter.acquire('huge', 101).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MemoryExhaustedError)
    expect((error as MemoryExhaustedError).report).toMatchObject({size: 101, budget: 100})
    expect((error as Error).message).toBe(
      'model "huge" needs 101 B but memory_budget is 100 B and pinned versions hold 0 B: it cannot fit even with every unpinned version evicted',
    )
  })

  it('times out after memory_wait_timeout with the sizes, and gives its place up', async () => {
    const {busy, memory, waiter, load} = setup(2 ** 20, 30_000)
    await load('a', 2 ** 19)
    await load('b', 2 ** 19)
    busy.set('a', 1)
    busy.set('b', 1)
    const result = waiter.acquire('x', 2 ** 19).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(30_000)
    const error = (await result) as MemoryExhaustedError
    expect(error.code).toBe('MEMORY_EXHAUSTED')
    expect(error.message).toBe(
      'model "x" waited 30.0 s (memory_wait_timeout) for 512 KiB of memory_budget 1 MiB: 0 B free, 1 MiB held by versions serving requests, ' +
        '0 B by versions loaded or used within the minimum residency, 0 B by loads in progress, 0 B being evicted, 0 B pinned',
    )
    expect(waiter.waiting).toBe(0)
    expect(memory.phaseOf('x')).toBeUndefined()
  })

  it('a timed-out claim gives its room back to the next in the queue', async () => {
    const {memory, evicted, waiter, load, outcomes} = setup(100, 1000)
    await load('a', 100)
    await vi.advanceTimersByTimeAsync(5000)
    const seen = outcomes({first: waiter.acquire('first', 100)})
    await flush()
    expect(evicted).toEqual(['a'])
    await vi.advanceTimersByTimeAsync(500)
    const later = outcomes({second: waiter.acquire('second', 100)})
    await vi.advanceTimersByTimeAsync(500) // first's wait ends; a is still being evicted
    expect(seen.first).toBe('MEMORY_EXHAUSTED')
    expect(memory.phaseOf('first')).toBeUndefined()
    expect(memory.phaseOf('second')).toBe('claimed')
    memory.release('a')
    await flush()
    expect(later.second).toBe('granted')
  })

  it("ends with the request's own bound when it fires first, and refuses an aborted request at once", async () => {
    const {busy, waiter, load, memory} = setup(100)
    await load('a', 100)
    busy.set('a', 1)
    const abort = new Abortable()
    const result = waiter.acquire('x', 10, {abort}).catch((e: unknown) => e)
    await vi.advanceTimersByTimeAsync(100)
    const reason = new MlsError('INFER_TIMEOUT', 'late')
    abort.abort(reason)
    expect(await result).toBe(reason)
    expect(waiter.waiting).toBe(0)
    await expect(waiter.acquire('y', 10, {abort})).rejects.toBe(reason)
    expect(memory.phaseOf('y')).toBeUndefined()
  })

  it('refuses a key already waiting or held, and close ends every wait', async () => {
    const {busy, waiter, load, memory} = setup(100)
    await load('a', 100)
    busy.set('a', 1)
    const first = waiter.acquire('x', 10).catch((e: unknown) => e)
    await expect(waiter.acquire('x', 10)).rejects.toThrow(/already waiting/)
    await expect(waiter.acquire('a', 10)).rejects.toThrow(/already resident; release it first/)
    const stop = new MlsError('SERVER_STOPPING', 'stopping')
    waiter.close(stop)
    expect(await first).toBe(stop)
    expect(memory.phaseOf('x')).toBeUndefined()
  })
})
