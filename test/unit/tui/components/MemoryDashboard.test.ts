/**
 * The dashboard of a server with a memory budget (ink-testing-library over a scripted source fed by the real memory
 * metrics and index fields): the budget line with its rates, SIZE per version, pinned, the selected version's memory;
 * and none of it for a server without a budget.
 */
import {cleanup, render} from 'ink-testing-library'
import {createElement} from 'react'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {Dashboard} from '../../../../src/tui/components/Dashboard.js'
import {ok} from '../../../../src/tui/sources/monitor-source.js'
import {item, metricsText, scriptedSource, type Step} from '../fixtures.js'
import {memoryItem, memoryServer, MIB} from '../memory-fixtures.js'

const NEVER = 60_000
const EVICTED = 'evicted (least recently used); loads on the next request'

function show(steps: readonly Step[]) {
  const source = scriptedSource(steps)
  const app = render(createElement(Dashboard, {source, intervalMs: NEVER, clock: () => Date.UTC(2026, 0, 1, 12), onQuit: vi.fn()}))
  const frame = () => app.lastFrame() ?? ''
  const poll = async () => {
    const before = source.polls
    app.stdin.write('r')
    await vi.waitFor(() => expect(source.polls).toBe(before + 1))
  }
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      app.stdin.write(key)
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
  }
  return {frame, poll, press, waitFor: (text: string | RegExp) => vi.waitFor(() => expect(frame()).toMatch(text))}
}

const lineOf = (frame: string, name: string) => frame.split('\n').find((line) => line.includes(` ${name} `))?.replace(/\s+/g, ' ').trim()

afterEach(() => cleanup())

describe('Dashboard with a memory budget', () => {
  it('shows the budget bar with hits / misses / evictions per second, sizes, pinned and the selected version\'s memory', async () => {
    const hot = {name: 'hot', version: '1', bytes: 12 * MIB, source: 'measured' as const, resident: true, pinned: false}
    const base = {name: 'base', bytes: 2 * MIB, source: 'stated' as const, resident: true, pinned: true}
    const cold = {name: 'cold', bytes: 30 * MIB, source: 'estimated' as const, resident: false, pinned: false}
    const index = ok([memoryItem(hot, 'READY'), memoryItem(base, 'READY'), memoryItem(cold, 'NOT_LOADED', EVICTED)])
    const server = memoryServer({budget: 32 * MIB, used: 14 * MIB, versions: [hot, base, cold]})
    const first = metricsText({}) + (await server.text())
    server.requests(30, 10)
    server.observer.evicted('cold', undefined, 30 * MIB, 3)
    server.observer.evicted('cold', undefined, 30 * MIB, 3)
    const second = metricsText({}) + (await server.text())
    const ui = show([
      {time: 0, index, metrics: ok(first)},
      {time: 2000, index, metrics: ok(second)},
    ])
    await ui.waitFor(/memory [█░]+ 14 MiB \/ 32 MiB \(44%\)/)
    expect(ui.frame()).toContain('hits -/s  misses -/s')
    expect(ui.frame()).toMatch(/NAME +VERSION +STATE +SIZE +REQ\/S/)
    // Sorted by name: base, cold, hot; hot is two rows down.
    await ui.press('j', 'j')
    await ui.waitFor(/› hot/)
    expect(lineOf(ui.frame(), 'hot')).toMatch(/^› hot 1 READY 12 MiB /)
    expect(lineOf(ui.frame(), 'base')).toMatch(/^base - READY 2 MiB .* pinned$/)
    expect(lineOf(ui.frame(), 'cold')).toMatch(/^cold - NOT_LOADED ~30 MiB .* evicted \(least/)
    expect(ui.frame()).toContain('model "hot" version "1"  READY  12 MiB measured · not used since start')
    await ui.poll()
    // 99 columns: the loads, last, are cut.
    await ui.waitFor('hits 15.0/s  misses 5.0/s (75.0% hit)  evictions 1.0/s')
  })

  it('shows nothing new without a budget', async () => {
    const index = ok([item('a', '1', 'READY')])
    const text = metricsText({'a:1': {success: 1}}) + (await memoryServer(undefined).text())
    const ui = show([{index, metrics: ok(text)}])
    await ui.waitFor(/› a +1 +READY/)
    expect(ui.frame()).not.toMatch(/memory|SIZE|MiB/)
  })
})
