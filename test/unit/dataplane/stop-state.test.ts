import {describe, expect, it} from 'vitest'
import {StopState} from '../../../src/dataplane/stop-state.js'

describe('StopState', () => {
  it('refuses nothing before the stop, SERVER_STOPPING after it', () => {
    const stop = new StopState()
    expect(stop.stopping).toBe(false)
    expect(() => stop.refuseWhileStopping()).not.toThrow()
    stop.begin()
    expect(stop.stopping).toBe(true)
    expect(() => stop.refuseWhileStopping()).toThrow(expect.objectContaining({code: 'SERVER_STOPPING', message: 'the server is shutting down and takes no new requests'}))
  })

  it('tells each listener once, even when begin() is called again; a listener that stopped listening is not told', () => {
    const stop = new StopState()
    const told: string[] = []
    stop.onStop(() => told.push('a'))
    const unlisten = stop.onStop(() => told.push('b'))
    stop.onStop(() => told.push('c'))
    unlisten()
    stop.begin()
    stop.begin()
    expect(told).toEqual(['a', 'c'])
  })

  it('a listener may stop listening while being told without others being skipped', () => {
    const stop = new StopState()
    const told: string[] = []
    const unlistenA: () => void = stop.onStop(() => {
      told.push('a')
      unlistenA()
    })
    stop.onStop(() => told.push('b'))
    stop.begin()
    expect(told).toEqual(['a', 'b'])
  })
})
