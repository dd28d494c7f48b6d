/** The server log buffer behind the log pane. */
import {describe, expect, it, vi} from 'vitest'
import {LogBuffer} from '../../../../src/tui/sources/log-buffer.js'

describe('LogBuffer', () => {
  it('keeps the newest lines, splits multi-line writes, and tells subscribers', () => {
    const log = new LogBuffer(3)
    const listener = vi.fn()
    const unsubscribe = log.subscribe(listener)
    log.write('one')
    log.write('two\nthree\n')
    log.write('four')
    expect(log.lines()).toEqual(['two', 'three', 'four'])
    expect(log.lines()).toBe(log.lines())
    expect(listener).toHaveBeenCalledTimes(3)
    unsubscribe()
    log.write('five')
    expect(listener).toHaveBeenCalledTimes(3)
  })

  it('passes later lines through, after replaying the last ones', () => {
    const log = new LogBuffer()
    for (const line of ['a', 'b', 'c']) log.write(line)
    const sink = vi.fn()
    log.passThrough(sink, 2)
    log.write('d')
    expect(sink.mock.calls.map((call) => call[0])).toEqual(['b', 'c', 'd'])
    expect(log.lines()).toEqual(['a', 'b', 'c'])
  })
})
