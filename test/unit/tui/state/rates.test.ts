/** Rates between two scrapes: requests/s, error rate, quantiles from bucket deltas, totals, resets, missing families. */
import {describe, expect, it} from 'vitest'
import {parseMetricsText} from '../../../../src/client/metrics-text.js'
import {modelKey, scrapeCounters} from '../../../../src/tui/sources/scrape-counters.js'
import {windowRates} from '../../../../src/tui/state/rates.js'
import {metricsText} from '../fixtures.js'

const scrape = (text: string, time: number) => scrapeCounters(parseMetricsText(text), time)
const A = modelKey('a', 'v1')
const B = modelKey('b', 'v2')

describe('scrapeCounters', () => {
  it('reads counters, sorted buckets, the current state and the REST inferences in flight', () => {
    const counters = scrape(metricsText({'a:v1': {success: 3, failure: 1, buckets: [[0.01, 2], [0.001, 1]], state: 'READY'}}, 2), 0)
    expect(counters.models.get(A)).toEqual({success: 3, failure: 1, state: 'READY', buckets: [{le: 0.001, count: 1}, {le: 0.01, count: 2}, {le: Number.POSITIVE_INFINITY, count: 1}]})
    expect(counters.inFlight).toBe(2)
    expect(counters.has).toEqual({success: true, failure: true, duration: true, queue: false, errors: false})
  })

  it('sums the queue gauges of a model', () => {
    const text = '# TYPE batch_request_queue gauge\nbatch_request_queue{model="a",version="v1"} 2\n# TYPE parallel_request_queue gauge\nparallel_request_queue{model="a",version="v1"} 3\n'
    const counters = scrape(text, 0)
    expect(counters.models.get(A)?.queue).toBe(5)
    expect(counters.has.queue).toBe(true)
  })

  it('leaves what the server does not expose undefined', () => {
    const counters = scrape('other_metric 1\n', 0)
    expect(counters.has).toEqual({success: false, failure: false, duration: false, queue: false, errors: false})
    expect(counters.inFlight).toBeUndefined()
  })
})

describe('windowRates', () => {
  it('computes rates per model and in total from two scrapes', () => {
    const older = scrape(metricsText({'a:v1': {success: 10, failure: 0, buckets: [[0.001, 10], [0.005, 10], [0.01, 10]]}}), 0)
    const newer = scrape(
      metricsText({'a:v1': {success: 110, failure: 10, buckets: [[0.001, 60], [0.005, 110], [0.01, 120]]}, 'b:v2': {success: 4}}),
      2000,
    )
    const rates = windowRates(older, newer)!
    expect(rates.seconds).toBe(2)
    const a = rates.models.get(A)!
    expect(a.rps).toBe(55)
    expect(a.errorRate).toBeCloseTo(10 / 110, 10)
    expect(a.p50).toBeCloseTo(0.0014, 10)
    expect(a.p99).toBeCloseTo(0.00945, 10)
    expect(a.failures).toBe(10)
    // b has no series in the older scrape: it counts from 0.
    expect(rates.models.get(B)).toMatchObject({rps: 2, errorRate: 0})
    expect(rates.total.rps).toBe(57)
    expect(rates.total.errorRate).toBeCloseTo(10 / 114, 10)
  })

  it('counts from 0 again after a counter reset', () => {
    const rates = windowRates(scrape(metricsText({'a:v1': {success: 500}}), 0), scrape(metricsText({'a:v1': {success: 6}}), 1000))!
    expect(rates.models.get(A)!.rps).toBe(6)
  })

  it('has no error rate or latency without requests, and no rates at all without the families', () => {
    const idle = windowRates(scrape(metricsText({'a:v1': {success: 1, failure: 0}}), 0), scrape(metricsText({'a:v1': {success: 1, failure: 0}}), 1000))!
    expect(idle.models.get(A)).toEqual({rps: 0, errorRate: undefined, p50: undefined, p99: undefined, failures: 0})
    const none = windowRates(scrape('x 1', 0), scrape('x 2', 1000))!
    expect(none.total).toEqual({rps: undefined, errorRate: undefined, p50: undefined, p99: undefined, failures: undefined})
  })

  it('is undefined when no time passed', () => {
    expect(windowRates(scrape('x 1', 5), scrape('x 1', 5))).toBeUndefined()
  })
})
