/** The Prometheus text parser: samples, labels with escapes, special values, declared types, odd lines skipped. */
import {describe, expect, it} from 'vitest'
import {parseMetricsText} from '../../../src/client/metrics-text.js'

describe('parseMetricsText', () => {
  it('reads samples with and without labels, and the declared types', () => {
    const {samples, types} = parseMetricsText(
      [
        '# HELP model_infer_request_success_total Successful inference requests',
        '# TYPE model_infer_request_success_total counter',
        'model_infer_request_success_total{model="a",version="v1"} 12',
        '# TYPE model_infer_request_failure_total counter',
        'process_cpu_seconds_total 0.25 1700000000000',
        '',
      ].join('\n'),
    )
    expect(samples).toEqual([
      {name: 'model_infer_request_success_total', labels: {model: 'a', version: 'v1'}, value: 12},
      {name: 'process_cpu_seconds_total', labels: {}, value: 0.25},
    ])
    expect(types.get('model_infer_request_failure_total')).toBe('counter')
  })

  it('unescapes label values and reads +Inf, -Inf and NaN', () => {
    const {samples} = parseMetricsText(
      ['x_bucket{le="+Inf",path="/a \\"b\\"\\\\c\\nd"} +Inf', 'y -Inf', 'z NaN', 'w{a="1",} 3e-3'].join('\n'),
    )
    expect(samples[0]).toEqual({name: 'x_bucket', labels: {le: '+Inf', path: '/a "b"\\c\nd'}, value: Number.POSITIVE_INFINITY})
    expect(samples[1].value).toBe(Number.NEGATIVE_INFINITY)
    expect(samples[2].value).toBeNaN()
    expect(samples[3]).toEqual({name: 'w', labels: {a: '1'}, value: 0.003})
  })

  it('skips lines that do not parse instead of failing the scrape', () => {
    const {samples} = parseMetricsText(['good 1', 'bad{a="1" 2', '{nolabel} 3', 'novalue', 'alsobad abc', 'fine 4'].join('\n'))
    expect(samples.map((s) => s.name)).toEqual(['good', 'fine'])
  })

  it('parses only the sample names it is asked to keep', () => {
    const {samples} = parseMetricsText('a_total 1\nb_total 2\nc{x="1"} 3', (name) => name !== 'b_total')
    expect(samples.map((s) => s.name)).toEqual(['a_total', 'c'])
  })
})
