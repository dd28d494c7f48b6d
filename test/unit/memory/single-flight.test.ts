import {describe, expect, it} from 'vitest'
import {SingleFlight} from '../../../src/memory/single-flight.js'

/** A task the test settles by hand, counting how often it was started. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  let calls = 0
  const task = () => {
    calls++
    return new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
  }
  return {task, resolve: (v: T) => resolve(v), reject: (e: unknown) => reject(e), calls: () => calls}
}

function setup() {
  const clock = {now: 0}
  const flight = new SingleFlight<string, string>({clock: () => clock.now, backoff: {initialMs: 1000, maxMs: 4000}})
  return {clock, flight}
}

describe('SingleFlight', () => {
  it('shares one operation in progress among concurrent callers, its result to all', async () => {
    const {flight} = setup()
    const load = deferred<string>()
    const a = flight.run('m', load.task)
    const b = flight.run('m', load.task)
    expect(flight.isRunning('m')).toBe(true)
    load.resolve('loaded')
    expect(await Promise.all([a, b])).toEqual(['loaded', 'loaded'])
    expect(load.calls()).toBe(1)
    expect(flight.isRunning('m')).toBe(false)
    // Once settled, the next call runs again.
    const again = flight.run('m', async () => 'again')
    expect(await again).toBe('again')
  })

  it('keeps keys apart', async () => {
    const {flight} = setup()
    const one = deferred<string>()
    const two = deferred<string>()
    const a = flight.run('a', one.task)
    const b = flight.run('b', two.task)
    two.resolve('b')
    one.resolve('a')
    expect([await a, await b]).toEqual(['a', 'b'])
  })

  it('gives the error to all, and remembers it for a back-off that doubles up to its bound', async () => {
    const {flight, clock} = setup()
    const broken = new Error('model.onnx: not an ONNX graph')
    let calls = 0
    const fail = async () => {
      calls++
      throw broken
    }
    const results = await Promise.allSettled([flight.run('m', fail), flight.run('m', fail)])
    expect(results.map((r) => (r as PromiseRejectedResult).reason)).toEqual([broken, broken])
    expect(calls).toBe(1)
    // Within the back-off: the remembered error at once, no new attempt.
    clock.now = 999
    await expect(flight.run('m', fail)).rejects.toBe(broken)
    expect(calls).toBe(1)
    expect(flight.failure('m')).toEqual({error: broken, count: 1, retryAt: 1000})
    const delays: number[] = []
    for (let i = 0; i < 4; i++) {
      clock.now = flight.failure('m')!.retryAt
      expect(flight.failure('m')).toBeUndefined()
      await expect(flight.run('m', fail)).rejects.toBe(broken)
      delays.push(flight.failure('m')!.retryAt - clock.now)
    }
    expect(delays).toEqual([2000, 4000, 4000, 4000])
    expect(calls).toBe(5)
  })

  it('forgets failures on success and on reset', async () => {
    const {flight, clock} = setup()
    await flight.run('m', () => Promise.reject(new Error('x'))).catch(() => {})
    clock.now = 1000
    expect(await flight.run('m', async () => 'ok')).toBe('ok')
    expect(flight.failure('m')).toBeUndefined()
    await flight.run('m', () => Promise.reject(new Error('y'))).catch(() => {})
    expect(flight.failure('m')?.count).toBe(1) // counting starts over after a success
    flight.reset('m')
    expect(await flight.run('m', async () => 'explicit')).toBe('explicit')
  })

  it('treats a task that throws at once like one that rejects', async () => {
    const {flight} = setup()
    const thrown = new Error('sync')
    await expect(
      flight.run('m', () => {
        throw thrown
      }),
    ).rejects.toBe(thrown)
    expect(flight.failure('m')?.error).toBe(thrown)
  })
})
