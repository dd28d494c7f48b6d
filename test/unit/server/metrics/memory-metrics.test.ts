import {AggregatorRegistry, Registry} from 'prom-client'
import {describe, expect, it} from 'vitest'
import {parseMetricsText} from '../../../../src/client/metrics-text.js'
import type {MemorySnapshot, VersionMemory} from '../../../../src/memory/memory-view.js'
import {MemoryMetrics} from '../../../../src/server/metrics/memory-metrics.js'

const MIB = 1024 * 1024
const MEMORY_FAMILIES = [
  'model_loads_total',
  'model_load_duration_seconds',
  'model_evictions_total',
  'model_eviction_age_seconds',
  'model_residency_requests_total',
  'model_memory_bytes',
  'models_memory_bytes',
  'memory_budget_bytes',
]

/** The value of the sample `name` with exactly `labels`; undefined when there is none. */
function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const matches = parseMetricsText(text).samples.filter(
    (s) => s.name === name && Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  expect(matches.length).toBeLessThanOrEqual(1)
  return matches[0]?.value
}

const samplesOf = (text: string, name: string) => parseMetricsText(text).samples.filter((s) => s.name === name)

function version(name: string, bytes: number, resident: boolean, extra: Partial<VersionMemory> = {}): VersionMemory {
  return {name, bytes, source: 'measured', resident, pinned: false, ...extra}
}

/** A registry with the memory families, read from `current` (changed by the test between scrapes). */
function setup(initial: MemorySnapshot | undefined) {
  const registry = new Registry()
  let current = initial
  const metrics = new MemoryMetrics(registry, () => current)
  return {registry, metrics, set: (next: MemorySnapshot | undefined) => (current = next)}
}

describe('memory metrics', () => {
  it('count loads by reason, with their durations, and evictions with their age', async () => {
    const {registry, metrics} = setup({budget: 64 * MIB, used: 0, versions: []})
    metrics.loaded('a', '1', 10 * MIB, 0.004, 'startup')
    metrics.loaded('a', '1', 10 * MIB, 0.2, 'request')
    metrics.loaded('a', '1', 10 * MIB, 0.03, 'request')
    metrics.loaded('b', undefined, 5 * MIB, 3, 'explicit')
    metrics.evicted('a', '1', 10 * MIB, 0.5)
    metrics.evicted('a', '1', 10 * MIB, 42)
    metrics.evicted('b', undefined, 5 * MIB, 7200)
    const text = await registry.metrics()
    expect(value(text, 'model_loads_total', {model: 'a', version: '1', reason: 'startup'})).toBe(1)
    expect(value(text, 'model_loads_total', {model: 'a', version: '1', reason: 'request'})).toBe(2)
    expect(value(text, 'model_loads_total', {model: 'b', version: '', reason: 'explicit'})).toBe(1)
    expect(value(text, 'model_loads_total', {model: 'b', version: '', reason: 'request'})).toBeUndefined()
    expect(value(text, 'model_load_duration_seconds_count', {model: 'a', version: '1'})).toBe(3)
    expect(value(text, 'model_load_duration_seconds_bucket', {model: 'a', version: '1', le: '0.005'})).toBe(1)
    expect(value(text, 'model_load_duration_seconds_bucket', {model: 'a', version: '1', le: '0.05'})).toBe(2)
    expect(value(text, 'model_load_duration_seconds_sum', {model: 'b', version: ''})).toBe(3)
    expect(value(text, 'model_evictions_total', {model: 'a', version: '1'})).toBe(2)
    expect(value(text, 'model_evictions_total', {model: 'b', version: ''})).toBe(1)
    expect(value(text, 'model_eviction_age_seconds_count')).toBe(3)
    expect(value(text, 'model_eviction_age_seconds_bucket', {le: '1'})).toBe(1)
    expect(value(text, 'model_eviction_age_seconds_bucket', {le: '60'})).toBe(2)
    expect(value(text, 'model_eviction_age_seconds_bucket', {le: '+Inf'})).toBe(3)
    expect(text).toContain('# TYPE model_eviction_age_seconds histogram')
    expect(text).toContain('# TYPE model_loads_total counter')
  })

  it('count residency hits and misses, both series at 0 from the start when there is a budget', async () => {
    const {registry, metrics} = setup({budget: MIB, used: 0, versions: []})
    let text = await registry.metrics()
    expect(value(text, 'model_residency_requests_total', {result: 'hit'})).toBe(0)
    expect(value(text, 'model_residency_requests_total', {result: 'miss'})).toBe(0)
    for (let i = 0; i < 5; i++) metrics.residency('a', '1', true)
    metrics.residency('b', undefined, false)
    text = await registry.metrics()
    expect(value(text, 'model_residency_requests_total', {result: 'hit'})).toBe(5)
    expect(value(text, 'model_residency_requests_total', {result: 'miss'})).toBe(1)
    expect(text).toContain('# TYPE model_residency_requests_total counter')
  })

  it('read the memory gauges from the snapshot when scraped: only resident versions, an evicted one disappears', async () => {
    const a = version('a', 12 * MIB, true)
    const b = version('b', 3 * MIB, true, {source: 'estimated'})
    const c = version('c', 40 * MIB, false, {source: 'stated'})
    const {registry, set} = setup({budget: 32 * MIB, used: 15 * MIB, versions: [a, b, c]})
    let text = await registry.metrics()
    expect(value(text, 'memory_budget_bytes')).toBe(32 * MIB)
    expect(value(text, 'models_memory_bytes')).toBe(15 * MIB)
    expect(value(text, 'model_memory_bytes', {model: 'a', version: ''})).toBe(12 * MIB)
    expect(value(text, 'model_memory_bytes', {model: 'b', version: ''})).toBe(3 * MIB)
    expect(value(text, 'model_memory_bytes', {model: 'c', version: ''})).toBeUndefined()
    expect(text).toContain('# TYPE model_memory_bytes gauge')
    expect(text).toMatch(/# HELP memory_budget_bytes \S+/)

    // a is evicted, c loaded (measured now, with another size): the next scrape says so.
    set({budget: 32 * MIB, used: 3 * MIB + 25 * MIB, versions: [version('a', 12 * MIB, false), b, version('c', 25 * MIB, true), version('v', 1, true, {version: '2'})]})
    text = await registry.metrics()
    expect(value(text, 'model_memory_bytes', {model: 'a', version: ''})).toBeUndefined()
    expect(value(text, 'model_memory_bytes', {model: 'c', version: ''})).toBe(25 * MIB)
    expect(value(text, 'model_memory_bytes', {model: 'v', version: '2'})).toBe(1)
    expect(samplesOf(text, 'model_memory_bytes')).toHaveLength(3)
    expect(value(text, 'models_memory_bytes')).toBe(28 * MIB)
  })

  it('export no memory sample at all without a budget', async () => {
    const {registry} = setup(undefined)
    const text = await registry.metrics()
    // The families are declared (HELP, TYPE), with no sample: the registry holds only ours, and has none.
    for (const family of MEMORY_FAMILIES) expect(text).toContain(`# TYPE ${family} `)
    expect(parseMetricsText(text).samples).toEqual([])
  })

  it('sum over processes on the primary (--processes N): memory and budget of the whole server, counters too', async () => {
    const one = setup({budget: 32 * MIB, used: 12 * MIB, versions: [version('a', 12 * MIB, true)]})
    const two = setup({budget: 32 * MIB, used: 20 * MIB, versions: [version('a', 13 * MIB, true), version('b', 7 * MIB, true)]})
    one.metrics.residency('a', undefined, true)
    two.metrics.residency('a', undefined, false)
    two.metrics.loaded('a', undefined, 13 * MIB, 0.01, 'request')
    const aggregate = AggregatorRegistry.aggregate([await one.registry.getMetricsAsJSON(), await two.registry.getMetricsAsJSON()])
    const text = await aggregate.metrics()
    expect(value(text, 'memory_budget_bytes')).toBe(64 * MIB)
    expect(value(text, 'models_memory_bytes')).toBe(32 * MIB)
    expect(value(text, 'model_memory_bytes', {model: 'a', version: ''})).toBe(25 * MIB)
    expect(value(text, 'model_memory_bytes', {model: 'b', version: ''})).toBe(7 * MIB)
    expect(value(text, 'model_residency_requests_total', {result: 'hit'})).toBe(1)
    expect(value(text, 'model_residency_requests_total', {result: 'miss'})).toBe(1)
    expect(value(text, 'model_loads_total', {model: 'a', version: '', reason: 'request'})).toBe(1)
  })

  it('live next to the server metrics in one registry without a name clash', async () => {
    const {Metrics} = await import('../../../../src/server/metrics/metrics.js')
    const server = new Metrics({restPrefix: 'rest_server'})
    const memory = new MemoryMetrics(server.registry, () => ({budget: MIB, used: 0, versions: []}))
    memory.residency('a', undefined, true)
    const text = await server.text()
    expect(value(text, 'memory_budget_bytes')).toBe(MIB)
    expect(value(text, 'model_residency_requests_total', {result: 'hit'})).toBe(1)
    expect(text).toContain('model_infer_request_success_total')
  })
})
