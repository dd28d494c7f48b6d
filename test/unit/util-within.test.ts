import {describe, expect, it} from 'vitest'
import {within} from '../../src/util/within.js'

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms))

describe('within', () => {
  it('answers true as soon as the work finishes, without waiting out the time', async () => {
    const started = performance.now()
    expect(await within(after(10, 'done'), 5_000)).toBe(true)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('answers true for work that fails in time (a failure is an end too), leaving the rejection to the caller', async () => {
    const work = Promise.reject(new Error('broken'))
    expect(await within(work, 1_000)).toBe(true)
    await expect(work).rejects.toThrow('broken')
  })

  it('answers false once the time runs out, and the work goes on to finish', async () => {
    let finished = false
    const work = after(150, undefined).then(() => (finished = true))
    const started = performance.now()
    expect(await within(work, 20)).toBe(false)
    expect(performance.now() - started).toBeGreaterThanOrEqual(15)
    expect(finished).toBe(false)
    await work
    expect(finished).toBe(true)
  })

  it('waits as long as the work takes with Infinity, instead of firing at once as setTimeout(Infinity) would', async () => {
    expect(await within(after(30, 1), Infinity)).toBe(true)
  })

  it('gives pending work no time with a negative or NaN limit, and a limit past setTimeout\'s range does not fire at once', async () => {
    const never = new Promise(() => {})
    expect(await within(never, -5)).toBe(false)
    expect(await within(never, Number.NaN)).toBe(false)
    expect(await within(after(30, 1), 2 ** 40)).toBe(true)
  })
})
