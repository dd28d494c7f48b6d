import {describe, expect, it} from 'vitest'
import {runBounded} from '../../src/util/bounded.js'

describe('runBounded', () => {
  it('never runs more than the limit at once, and runs every item', async () => {
    let running = 0
    let peak = 0
    const done: number[] = []
    await runBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((resolve) => setTimeout(resolve, 5))
      done.push(n)
      running--
    })
    expect(peak).toBe(3)
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
  })
})
