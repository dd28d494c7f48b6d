/** The restart policy shared by worker threads and cluster processes: at once, then doubling up to a cap, reset by a stable run. */
import {describe, expect, it} from 'vitest'
import {RestartBackoff, restartDelay} from '../../../src/workers/restart-policy.js'

const policy = {firstDelayMs: 1000, maxDelayMs: 5000, stableAfterMs: 10_000}

describe('RestartBackoff', () => {
  it('replaces at once the first time, then waits 1 s, 2 s, 4 s, capped at the maximum, while workers die young', () => {
    const backoff = new RestartBackoff(policy)
    expect([0, 1, 2, 3, 4, 5].map(() => backoff.died(50))).toEqual([0, 1000, 2000, 4000, 5000, 5000])
  })

  it('a worker that served long enough starts the count again', () => {
    const backoff = new RestartBackoff(policy)
    backoff.died(0)
    backoff.died(0)
    expect(backoff.died(0)).toBe(2000)
    expect(backoff.died(10_000)).toBe(0)
    expect(backoff.died(0)).toBe(0)
    expect(backoff.died(0)).toBe(1000)
  })

  it('a replacement that failed to start counts as a failure too', () => {
    const backoff = new RestartBackoff(policy)
    expect(backoff.died(60_000)).toBe(0)
    expect(backoff.failedToStart()).toBe(0)
    expect(backoff.failedToStart()).toBe(1000)
    expect(backoff.count).toBe(2)
    expect(restartDelay(policy, 2)).toBe(1000)
  })
})
