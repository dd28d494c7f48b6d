import {AggregatorRegistry, Counter, Gauge, Histogram, Registry} from 'prom-client'
import {describe, expect, it} from 'vitest'
import {FastCounter, FastGauge, FastHistogram} from '../../../../src/server/metrics/fast-metrics.js'

const BUCKETS = [0.001, 0.01, 0.1, 1]
const OBSERVED = [0.0005, 0.001, 0.002, 0.05, 0.5, 0.7, 3, 42]

/** The same calls on prom-client's metrics and on ours, in two registries: the exposition texts must be equal. */
function twin() {
  const theirs = new Registry()
  const ours = new Registry()
  const labelNames = ['model', 'version'] as const
  const c1 = new Counter({name: 'x_total', help: 'h', labelNames, registers: [theirs]})
  const c2 = new FastCounter({name: 'x_total', help: 'h', labelNames, registers: [ours]})
  const g1 = new Gauge({name: 'y', help: 'h', labelNames, registers: [theirs]})
  const g2 = new FastGauge({name: 'y', help: 'h', labelNames, registers: [ours]})
  const h1 = new Histogram({name: 'z_seconds', help: 'h', labelNames, buckets: BUCKETS, registers: [theirs]})
  const h2 = new FastHistogram({name: 'z_seconds', help: 'h', labelNames, buckets: BUCKETS, registers: [ours]})
  for (const [model, version] of [['a', '1'], ['b', '']]) {
    const labels = {model, version}
    c1.labels(labels).inc()
    c1.labels(labels).inc(2)
    c2.labels(labels).inc()
    c2.labels(labels).inc(2)
    for (let i = 0; i < 3; i++) g1.labels(labels).inc()
    g1.labels(labels).dec()
    for (let i = 0; i < 3; i++) g2.labels(labels).inc()
    g2.labels(labels).dec()
    for (const v of OBSERVED) {
      h1.labels(labels).observe(v)
      h2.labels(labels).observe(v)
    }
  }
  return {theirs, ours}
}

describe('fast metrics', () => {
  it('print exactly what prom-client prints for the same counters, gauges and histograms', async () => {
    const {theirs, ours} = twin()
    const text = await ours.metrics()
    expect(text).toBe(await theirs.metrics())
    expect(text).toContain('z_seconds_bucket{le="0.01",model="a",version="1"} 3')
    expect(text).toContain('z_seconds_bucket{le="+Inf",model="b",version=""} 8')
    expect(text).toContain('x_total{model="a",version="1"} 3')
    expect(text).toContain('y{model="b",version=""} 2')
  })

  it('aggregate across processes as prom-client does (sum)', async () => {
    const a = twin()
    const b = twin()
    const theirs = AggregatorRegistry.aggregate([await a.theirs.getMetricsAsJSON(), await b.theirs.getMetricsAsJSON()])
    const ours = AggregatorRegistry.aggregate([await a.ours.getMetricsAsJSON(), await b.ours.getMetricsAsJSON()])
    const text = await ours.metrics()
    expect(text).toBe(await theirs.metrics())
    expect(text).toContain('z_seconds_count{model="a",version="1"} 16')
  })

  it('keep one child per label set', () => {
    const counter = new FastCounter({name: 'n_total', help: 'h', labelNames: ['m'], registers: []})
    expect(counter.labels({m: 'a'})).toBe(counter.labels({m: 'a'}))
    expect(counter.labels({m: 'a'})).not.toBe(counter.labels({m: 'b'}))
  })
})
