import {describe, expect, it} from 'vitest'
import {BodySilenceWatch} from '../../../src/server/rest/body-silence.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('BodySilenceWatch', () => {
  it('times out a silent body once, between the timeout and 1.25 times it; data and unwatching hold it off', async () => {
    const watch = new BodySilenceWatch(100)
    const fired: string[] = []
    const started = performance.now()
    let firedAt = 0
    watch.watch(() => {
      fired.push('silent')
      firedAt = performance.now() - started
    })
    const busy = watch.watch(() => fired.push('busy'))
    const done = watch.watch(() => fired.push('done'))
    watch.unwatch(done)
    watch.unwatch(done)
    for (let i = 0; i < 8; i++) {
      await sleep(25)
      watch.touch(busy)
    }
    expect(fired).toEqual(['silent'])
    expect(firedAt).toBeGreaterThanOrEqual(99)
    expect(firedAt).toBeLessThan(200)
    watch.unwatch(busy)
    expect(watch.size).toBe(0)
  })

  it('keeps every body through removals in any order (the last one moves into the hole)', () => {
    const watch = new BodySilenceWatch(60_000)
    const all = Array.from({length: 100}, () => watch.watch(() => undefined))
    for (let i = 0; i < all.length; i += 3) watch.unwatch(all[i])
    expect(watch.size).toBe(100 - 34)
    for (const watched of all) watch.unwatch(watched)
    expect(watch.size).toBe(0)
  })
})
