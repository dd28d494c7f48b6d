import {describe, expect, it} from 'vitest'
import {KeyedLock} from '../../src/util/keyed-lock.js'

/** A task that runs until the test lets it finish, noting when it starts and ends. */
function gated(log: string[], name: string) {
  let finish!: () => void
  let fail!: (error: Error) => void
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name)
    fail = reject
  })
  const task = async () => {
    log.push(`${name} start`)
    try {
      return await done
    } finally {
      log.push(`${name} end`)
    }
  }
  return {task, finish: () => finish(), fail: (error: Error) => fail(error)}
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('KeyedLock', () => {
  it('runs tasks of one key one after another, in order, and tasks of other keys meanwhile', async () => {
    const lock = new KeyedLock()
    const log: string[] = []
    const [a1, a2, b1] = [gated(log, 'a1'), gated(log, 'a2'), gated(log, 'b1')]
    const results = [lock.run('a', a1.task), lock.run('a', a2.task), lock.run('b', b1.task)]
    await turn()
    expect(log).toEqual(['a1 start', 'b1 start']) // a2 waits for a1; b1 does not
    a2.finish() // its answer is ready, but it must not start before a1 ends
    await turn()
    expect(log).toEqual(['a1 start', 'b1 start'])
    a1.finish()
    b1.finish()
    expect(await Promise.all(results)).toEqual(['a1', 'a2', 'b1'])
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'))
  })

  it('a failed task rejects its own caller only, and the next task still runs', async () => {
    const lock = new KeyedLock()
    const failing = lock.run('a', async () => {
      throw new Error('broken')
    })
    const next = lock.run('a', async () => 'ran')
    await expect(failing).rejects.toThrow('broken')
    expect(await next).toBe('ran')
  })

  it('forgets a key once its last task has settled, so the map does not grow with every name ever seen', async () => {
    const lock = new KeyedLock()
    const log: string[] = []
    const [a1, a2] = [gated(log, 'a1'), gated(log, 'a2')]
    const first = lock.run('a', a1.task)
    const second = lock.run('a', a2.task)
    expect(lock.size).toBe(1)
    a1.finish()
    await first
    expect(lock.size).toBe(1) // a2 still queued
    a2.fail(new Error('no'))
    await expect(second).rejects.toThrow('no')
    expect(lock.size).toBe(0)
    await Promise.all(Array.from({length: 100}, (_, i) => lock.run(`model-${i}`, async () => i)))
    expect(lock.size).toBe(0)
    // A key used again after it was forgotten still serialises.
    const [b1, b2] = [gated(log, 'b1'), gated(log, 'b2')]
    const again = [lock.run('a', b1.task), lock.run('a', b2.task)]
    await turn()
    expect(log.filter((line) => line.startsWith('b'))).toEqual(['b1 start'])
    b1.finish()
    b2.finish()
    await Promise.all(again)
    expect(lock.size).toBe(0)
  })
})
