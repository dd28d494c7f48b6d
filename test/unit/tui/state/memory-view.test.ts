/** The memory budget in the dashboard's data: from the real memory metrics and index fields; nothing without a budget. */
import {describe, expect, it} from 'vitest'
import {ok} from '../../../../src/tui/sources/monitor-source.js'
import {advance, initialMemory, type DashboardMemory} from '../../../../src/tui/state/dashboard-state.js'
import {budgetBar} from '../../../../src/tui/state/memory-text.js'
import {toMonitorJson} from '../../../../src/tui/state/monitor-json.js'
import {plainReport} from '../../../../src/tui/state/plain-report.js'
import {item, metricsText, snapshotOf, type Step} from '../fixtures.js'
import {memoryItem, memoryServer, MIB} from '../memory-fixtures.js'

const TARGET = {url: 'http://127.0.0.1:9080', metricsUrl: 'http://127.0.0.1:9082/metrics'}
const LAST_USED = Date.parse('2026-01-01T12:00:03.000Z')
const EVICTED = 'evicted (least recently used); loads on the next request'

function run(steps: readonly Step[], windowMs = 5000): DashboardMemory {
  return steps.reduce((memory, step, i) => advance(memory, snapshotOf(step, i * 1000), 1_700_000_000_000 + i * 1000), initialMemory(TARGET, windowMs))
}

const hot = {name: 'hot', version: '1', bytes: 12 * MIB, source: 'measured' as const, resident: true, pinned: false, lastUsed: LAST_USED}
const base = {name: 'base', bytes: 2 * MIB, source: 'stated' as const, resident: true, pinned: true}
const cold = {name: 'cold', bytes: 30 * MIB, source: 'estimated' as const, resident: false, pinned: false}
const INDEX = ok([memoryItem(hot, 'READY'), memoryItem(base, 'READY'), memoryItem(cold, 'NOT_LOADED', EVICTED)])

/** Two polls 2 s apart: 40 hits and 10 misses, 4 loads and 2 evictions between them. */
async function twoPolls(): Promise<DashboardMemory> {
  const server = memoryServer({budget: 32 * MIB, used: 14 * MIB, versions: [hot, base, cold]})
  server.requests(5, 1)
  const first = metricsText({'hot:1': {success: 6}}) + (await server.text())
  server.requests(40, 10)
  for (let i = 0; i < 4; i++) server.observer.loaded('cold', undefined, 30 * MIB, 0.01, 'request')
  server.observer.evicted('cold', undefined, 30 * MIB, 3)
  server.observer.evicted('hot', '1', 12 * MIB, 5)
  server.set({budget: 32 * MIB, used: 28 * MIB, versions: [hot, base, cold]})
  const second = metricsText({'hot:1': {success: 56}}) + (await server.text())
  return run([
    {time: 0, index: INDEX, metrics: ok(first)},
    {time: 2000, index: INDEX, metrics: ok(second)},
  ])
}

describe('memory in the dashboard data', () => {
  it('reads budget, used bytes and residency rates over the window from the memory metrics', async () => {
    const memory = await twoPolls()
    expect(memory.view.memory).toEqual({
      budget: 32 * MIB,
      used: 28 * MIB,
      rates: {hitsPerSecond: 20, missesPerSecond: 5, loadsPerSecond: 2, evictionsPerSecond: 1, hitRatio: 0.8},
    })
    // One scrape: the budget and used bytes, no rates yet.
    const one = run([{index: INDEX, metrics: ok(await memoryServer({budget: MIB, used: 0, versions: []}).text())}])
    expect(one.view.memory).toEqual({budget: MIB, used: 0})
  })

  it("reads each version's memory from the index", async () => {
    const memory = await twoPolls()
    expect(memory.view.models.map((row) => [row.name, row.state, row.memory])).toEqual([
      ['hot', 'READY', {bytes: 12 * MIB, source: 'measured', pinned: false, lastUsed: LAST_USED}],
      ['base', 'READY', {bytes: 2 * MIB, source: 'stated', pinned: true}],
      ['cold', 'NOT_LOADED', {bytes: 30 * MIB, source: 'estimated', pinned: false}],
    ])
  })

  it('keeps the budget, and nothing else of it, while metrics are unavailable', async () => {
    const server = memoryServer({budget: 32 * MIB, used: 14 * MIB, versions: [hot]})
    const memory = run([{index: INDEX, metrics: ok(await server.text())}, {index: INDEX, metrics: {ok: false, error: 'HTTP 500'}}])
    expect(memory.view.memory).toEqual({budget: 32 * MIB})
  })

  it('has no memory at all without a budget: the real metrics of a budget-less server, and an index without the fields', async () => {
    const text = metricsText({'a:1': {success: 1}}) + (await memoryServer(undefined).text())
    const index = ok([item('a', '1', 'READY')])
    const memory = run([{index, metrics: ok(text)}, {index, metrics: ok(text)}])
    expect(memory.view.memory).toBeUndefined()
    expect(memory.view.models[0].memory).toBeUndefined()
    const json = toMonitorJson(memory.view)
    expect(json).not.toHaveProperty('memory')
    expect(Object.keys(json.models[0])).not.toContain('memory_bytes')
    expect(plainReport(memory.view)).not.toMatch(/memory|SIZE/)
  })

  it('monitor --json and the plain report carry the budget and the sizes', async () => {
    const memory = await twoPolls()
    const json = toMonitorJson(memory.view)
    expect(json.memory).toEqual({budget_bytes: 32 * MIB, used_bytes: 28 * MIB, hits_per_second: 20, misses_per_second: 5, hit_ratio: 0.8, loads_per_second: 2, evictions_per_second: 1})
    expect(json.models[0]).toMatchObject({name: 'hot', memory_bytes: 12 * MIB, memory_source: 'measured', pinned: false, last_used: '2026-01-01T12:00:03.000Z'})
    expect(json.models[2]).toMatchObject({name: 'cold', memory_source: 'estimated', last_used: null})
    const report = plainReport(memory.view)
    expect(report).toContain('memory 28 MiB / 32 MiB (88%): hits 20.0/s  misses 5.0/s (80.0% hit)  evictions 1.0/s  loads 2.0/s')
    expect(report).toMatch(/NAME +VERSION +STATE +SIZE +REQ\/S/)
    expect(report).toMatch(/base +- +READY +2 MiB .* pinned/)
    expect(report).toMatch(/cold +- +NOT_LOADED +~30 MiB .* evicted \(least recently used\)/)
  })

  it('draws the budget bar', () => {
    expect(budgetBar(0.5, 10)).toBe('█████░░░░░')
    expect(budgetBar(0, 4)).toBe('░░░░')
    expect(budgetBar(1.2, 4)).toBe('████')
  })
})
