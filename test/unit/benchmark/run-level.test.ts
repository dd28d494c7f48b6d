import {describe, expect, it} from 'vitest'
import {runLevel} from '../../../src/benchmark/run-level.js'

/** A send that answers after a tick and records how many calls overlap. */
function counter(fail?: (i: number) => string | undefined) {
  const state = {inFlight: 0, most: 0, indices: [] as number[]}
  const send = async (i: number) => {
    state.indices.push(i)
    state.inFlight++
    state.most = Math.max(state.most, state.inFlight)
    await new Promise((r) => setImmediate(r))
    state.inFlight--
    const message = fail?.(i)
    if (message) throw new Error(message)
  }
  return {state, send}
}

describe('runLevel', () => {
  it('sends exactly --requests requests, never more than the concurrency at once, indices 0..n-1', async () => {
    const {state, send} = counter()
    const result = await runLevel(send, {concurrency: 4, maxRequests: 50, timeoutMs: 10_000})
    expect(result).toMatchObject({concurrency: 4, requests: 50, errors: 0})
    expect(state.most).toBe(4)
    expect([...state.indices].sort((a, b) => a - b)).toEqual(Array.from({length: 50}, (_, i) => i))
    expect(result.latencyMs).not.toBeNull()
    expect(result.requestsPerSecond).toBeGreaterThan(0)
  })

  it('counts failures with the first message, and times only the answered requests', async () => {
    const {send} = counter((i) => (i % 5 === 0 ? `failure ${i}` : undefined))
    const result = await runLevel(send, {concurrency: 1, maxRequests: 20, timeoutMs: 10_000})
    expect(result).toMatchObject({requests: 20, errors: 4, firstError: 'failure 0'})
  })

  it('every request failing: no latency, zero req/s', async () => {
    const result = await runLevel(() => Promise.reject(new Error('down')), {concurrency: 2, maxRequests: 6, timeoutMs: 10_000})
    expect(result).toMatchObject({requests: 6, errors: 6, firstError: 'down', requestsPerSecond: 0, latencyMs: null})
  })

  it('a request that never answers counts as failed after the timeout', async () => {
    const result = await runLevel((i) => (i === 1 ? new Promise(() => {}) : Promise.resolve()), {concurrency: 1, maxRequests: 3, timeoutMs: 50})
    expect(result).toMatchObject({requests: 3, errors: 1, firstError: 'no answer within 0.05 s'})
  })

  it('stops at the duration when no count is given', async () => {
    const {send} = counter()
    const result = await runLevel(send, {concurrency: 2, durationMs: 50, timeoutMs: 10_000})
    expect(result.requests).toBeGreaterThan(0)
    expect(result.errors).toBe(0)
  })
})
