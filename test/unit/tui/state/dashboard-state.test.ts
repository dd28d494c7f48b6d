/** The dashboard as data: rows, rates over the window, history, the events raised, and how missing data degrades. */
import {describe, expect, it} from 'vitest'
import {failed, ok} from '../../../../src/tui/sources/monitor-source.js'
import {advance, HISTORY_CAPACITY, initialMemory, sameView, type DashboardMemory} from '../../../../src/tui/state/dashboard-state.js'
import {item, metricsText, snapshotOf, type Step} from '../fixtures.js'

const TARGET = {url: 'http://127.0.0.1:9080', metricsUrl: 'http://127.0.0.1:9082/metrics'}

/** The memory after polling `steps` (step i at i seconds unless it says otherwise). */
function run(steps: readonly Step[], windowMs = 5000): DashboardMemory {
  return steps.reduce((memory, step, i) => advance(memory, snapshotOf(step, i * 1000), 1_700_000_000_000 + i * 1000), initialMemory(TARGET, windowMs))
}

const texts = (memory: DashboardMemory) => memory.view.events.map((e) => `${e.level} ${e.text}`)

describe('advance', () => {
  it('lists the models of the index with rates once two scrapes exist', () => {
    const index = ok([item('a', 'v1', 'READY'), item('b', undefined, 'READY')])
    const first = run([{index, metrics: ok(metricsText({'a:v1': {success: 0}}, 1))}])
    expect(first.view.models.map((m) => [m.name, m.version, m.state])).toEqual([['a', 'v1', 'READY'], ['b', undefined, 'READY']])
    expect(first.view.models[0].rates).toBeUndefined()
    expect(first.view.windowSeconds).toBeUndefined()
    const second = run([
      {index, metrics: ok(metricsText({'a:v1': {success: 0}}, 1))},
      {index, metrics: ok(metricsText({'a:v1': {success: 30}, 'b:': {success: 5}}, 3))},
    ])
    expect(second.view.models[0].rates?.rps).toBe(30)
    expect(second.view.models[1].rates?.rps).toBe(5)
    expect(second.view.total).toMatchObject({rps: 35, inFlight: 3})
    expect(second.view.windowSeconds).toBe(1)
    expect(second.view.history).toHaveLength(HISTORY_CAPACITY)
    expect(second.view.history.at(-1)).toBe(35)
  })

  it('computes rates over the window, not only the last poll', () => {
    const index = ok([item('a', 'v1', 'READY')])
    const steps = [0, 10, 10, 10].map((success) => ({index, metrics: ok(metricsText({'a:v1': {success}}))}))
    const memory = run(steps, 5000)
    expect(memory.view.models[0].rates?.rps).toBeCloseTo(10 / 3, 10)
    expect(memory.view.history.slice(-3)).toEqual([10, 0, 0])
    // A shorter window forgets the burst.
    expect(run(steps, 1000).view.models[0].rates?.rps).toBe(0)
  })

  it('raises events for connection, state changes with their reason, and failed requests', () => {
    const memory = run([
      {index: ok([item('a', 'v1', 'LOADING')]), metrics: ok(metricsText({'a:v1': {failure: 0}}))},
      {index: ok([item('a', 'v1', 'READY')]), metrics: ok(metricsText({'a:v1': {failure: 2}}))},
      {index: ok([item('a', 'v1', 'UNAVAILABLE', 'unloaded'), item('c', 'v1', 'LOADING')]), metrics: ok(metricsText({'a:v1': {failure: 2}}))},
    ])
    expect(texts(memory)).toEqual([
      'ok connected to http://127.0.0.1:9080 (mls 0.1.0)',
      'ok model "a" version "v1": LOADING → READY',
      'error model "a" version "v1": 2 failed requests',
      'error model "a" version "v1": READY → UNAVAILABLE (unloaded)',
      'info model "c" version "v1": new, LOADING',
    ])
    expect(memory.view.events[0].time).toBe(1_700_000_000_000)
  })

  it('says when a model left the repository index, but not when the index could not be read', () => {
    const both = ok([item('a', 'v1', 'READY'), item('b', undefined, 'READY')])
    const memory = run([{index: both}, {index: ok([item('a', 'v1', 'READY')])}])
    expect(texts(memory)).toEqual(['ok connected to http://127.0.0.1:9080 (mls 0.1.0)', 'info model "b": gone from the repository'])
    const blind = run([{index: both}, {index: failed('HTTP 500')}, {index: ok([item('a', 'v1', 'READY')])}])
    expect(texts(blind).filter((t) => t.includes('gone'))).toEqual([])
  })

  it('degrades without metrics: no rates, one warning, then one note when they come back', () => {
    const index = ok([item('a', 'v1', 'READY')])
    const memory = run([
      {index, metrics: failed('ECONNREFUSED')},
      {index, metrics: failed('ECONNREFUSED')},
      {index, metrics: ok(metricsText({}))},
    ])
    expect(texts(memory)).toEqual(['ok connected to http://127.0.0.1:9080 (mls 0.1.0)', 'warn metrics unavailable (http://127.0.0.1:9082/metrics: ECONNREFUSED)', 'ok metrics available'])
    expect(run([{index, metrics: failed('HTTP 404')}]).view).toMatchObject({metricsError: 'HTTP 404', total: undefined})
  })

  it('takes the models from the model_state gauge when there is no repository index', () => {
    const memory = run([{index: failed('HTTP 404'), metrics: ok(metricsText({'z:v9': {state: 'READY'}, 'a:': {state: 'UNAVAILABLE'}}))}])
    expect(memory.view.indexError).toBe('HTTP 404')
    expect(memory.view.models.map((m) => [m.name, m.version, m.state])).toEqual([['a', undefined, 'UNAVAILABLE'], ['z', 'v9', 'READY']])
  })

  it('says when the server cannot be reached, keeps the last rows, and notes the reconnection', () => {
    const down = {ready: failed<boolean>('ECONNREFUSED'), index: failed<never>('ECONNREFUSED'), metrics: failed<string>('ECONNREFUSED'), metadataProbe: failed<never>('ECONNREFUSED')}
    const memory = run([{index: ok([item('a', 'v1', 'READY')])}, down, down, {index: ok([item('a', 'v1', 'READY')])}])
    expect(texts(memory)).toEqual([
      'ok connected to http://127.0.0.1:9080 (mls 0.1.0)',
      'error cannot reach http://127.0.0.1:9080: ECONNREFUSED',
      'ok reconnected to http://127.0.0.1:9080 (mls 0.1.0)',
    ])
    const unreachable = run([{index: ok([item('a', 'v1', 'READY')])}, down])
    expect(unreachable.view).toMatchObject({reachable: false, error: 'ECONNREFUSED'})
    expect(unreachable.view.models.map((m) => m.name)).toEqual(['a'])
  })

  it('makes the same view from the same answers (so nothing renders on an idle server)', () => {
    const step = {index: ok([item('a', 'v1', 'READY')]), metrics: ok(metricsText({'a:v1': {success: 3}}))}
    const memory = run(Array.from({length: 8}, () => step))
    const next = advance(memory, snapshotOf(step, 8000), 1_700_000_008_000)
    expect(sameView(memory.view, next.view)).toBe(true)
  })
})
