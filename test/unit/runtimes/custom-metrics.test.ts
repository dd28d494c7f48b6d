/** Custom metrics of runtimes on the server's registry: labelled with model and version, shared per name, no clashes. */
import {describe, expect, it} from 'vitest'
import {Metrics} from '../../../src/server/metrics/metrics.js'

describe('RuntimeContext.metrics', () => {
  it('counters, histograms and gauges appear with the model and version labels', async () => {
    const metrics = new Metrics({restPrefix: 'rest_server'})
    const v1 = metrics.forModel('sentiment', 'v1')
    v1.counter('tokens_total', 'Tokens read').inc(3)
    v1.counter('tokens_total', 'Tokens read').inc()
    metrics.forModel('sentiment', undefined).counter('tokens_total', 'Tokens read').inc(2)
    v1.histogram('score', 'Scores', {buckets: [0, 0.5, 1]}).observe(0.75)
    v1.gauge('words', 'Words known', {labelNames: ['list']}).set(12, {list: 'positive'})
    const text = await metrics.text()
    expect(text).toContain('# TYPE tokens_total counter')
    expect(text).toContain('tokens_total{model="sentiment",version="v1"} 4')
    expect(text).toContain('tokens_total{model="sentiment",version=""} 2')
    expect(text).toContain('score_bucket{le="1",model="sentiment",version="v1"} 1')
    expect(text).toContain('words{list="positive",model="sentiment",version="v1"} 12')
  })

  it('a name keeps its type and labels; built-in names and the model labels are refused', () => {
    const metrics = new Metrics({restPrefix: 'rest_server'}).forModel('m', 'v1')
    metrics.counter('hits_total', 'Hits')
    expect(() => metrics.histogram('hits_total', 'Hits')).toThrow('metric "hits_total" is already registered as a counter with labels model,version')
    expect(() => metrics.counter('hits_total', 'Hits', {labelNames: ['kind']})).toThrow(/already registered as a counter/)
    expect(() => metrics.counter('model_state', 'mine')).toThrow(/cannot register metric "model_state": A metric with the name model_state has already been registered/)
    expect(() => metrics.counter('x_total', 'x', {labelNames: ['model']})).toThrow('metric "x_total": the labels model and version are set by mls; leave them out of labelNames')
    expect(() => metrics.counter('bad name', 'x')).toThrow(/cannot register metric "bad name"/)
  })

  it('user labels cannot overwrite model and version', async () => {
    const metrics = new Metrics({restPrefix: 'rest_server'})
    metrics.forModel('m', 'v1').counter('c_total', 'c', {labelNames: ['k']}).inc(1, {k: 'a', model: 'other'} as never)
    expect(await metrics.text()).toContain('c_total{k="a",model="m",version="v1"} 1')
  })
})
