/** The event list: failed requests of a model add up in one line while only failure counts come in between. */
import {describe, expect, it} from 'vitest'
import {appendEvents, failureEvent, type DashboardEvent} from '../../../../src/tui/state/dashboard-event.js'
import {formatClock} from '../../../../src/tui/state/format.js'

const T = Date.UTC(2026, 0, 1, 12)
const info = (text: string, time = T): DashboardEvent => ({time, level: 'info', text})

describe('appendEvents', () => {
  it('adds failure counts of one model up, keeping when they started', () => {
    let events = appendEvents([], [failureEvent('a', 'a v1', 1, T)])
    events = appendEvents(events, [failureEvent('b', 'b v1', 2, T + 1000)])
    events = appendEvents(events, [failureEvent('a', 'a v1', 3, T + 2000)])
    expect(events.map((e) => e.text)).toEqual(['b v1: 2 failed requests', `a v1: 4 failed requests since ${formatClock(T)}`])
    expect(events[1].time).toBe(T + 2000)
  })

  it('starts a new count after any other event', () => {
    const events = appendEvents([failureEvent('a', 'a v1', 1, T), info('a v1: READY → UNAVAILABLE')], [failureEvent('a', 'a v1', 1, T + 1000)])
    expect(events.map((e) => e.text)).toEqual(['a v1: 1 failed request', 'a v1: READY → UNAVAILABLE', 'a v1: 1 failed request'])
  })

  it('keeps the newest events only', () => {
    const events = appendEvents([], Array.from({length: 150}, (_, i) => info(String(i))))
    expect(events).toHaveLength(100)
    expect(events[0].text).toBe('50')
  })
})
