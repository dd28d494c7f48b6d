/**
 * Custom metrics that runtimes register (RuntimeContext.metrics): prom-client families in the server's registry,
 * each with the labels `model` and `version` bound to the runtime's model. One family per name, shared by every model
 * and version that registers it with the same type and labels.
 */
import {Counter, Gauge, Histogram, type Registry} from 'prom-client'
import type {
  MetricLabels,
  MetricOptions,
  RuntimeCounter,
  RuntimeGauge,
  RuntimeHistogram,
  RuntimeMetrics,
  RuntimeMetricsProvider,
} from '../../runtimes/runtime.js'

type Kind = 'counter' | 'histogram' | 'gauge'
type Family = Counter<string> | Histogram<string> | Gauge<string>

const MODEL_LABELS = ['model', 'version'] as const

export class RuntimeMetricFamilies implements RuntimeMetricsProvider {
  private readonly families = new Map<string, {kind: Kind; labelNames: string; family: Family}>()

  constructor(
    private readonly registry: Registry,
    private readonly defaultBuckets: readonly number[],
  ) {}

  forModel(model: string, version: string | undefined): RuntimeMetrics {
    const bound = (labels: MetricLabels = {}) => ({...labels, model, version: version ?? ''})
    return {
      counter: (name, help, options) => {
        const family = this.family('counter', name, help, options) as Counter<string>
        return {inc: (value = 1, labels) => family.inc(bound(labels), value)} satisfies RuntimeCounter
      },
      histogram: (name, help, options) => {
        const family = this.family('histogram', name, help, options) as Histogram<string>
        return {observe: (value, labels) => family.observe(bound(labels), value)} satisfies RuntimeHistogram
      },
      gauge: (name, help, options) => {
        const family = this.family('gauge', name, help, options) as Gauge<string>
        return {
          set: (value, labels) => family.set(bound(labels), value),
          inc: (value = 1, labels) => family.inc(bound(labels), value),
          dec: (value = 1, labels) => family.dec(bound(labels), value),
        } satisfies RuntimeGauge
      },
    }
  }

  private family(kind: Kind, name: string, help: string, options: MetricOptions = {}): Family {
    const extra = [...(options.labelNames ?? [])]
    const reserved = extra.filter((label) => (MODEL_LABELS as readonly string[]).includes(label))
    if (reserved.length > 0) throw new Error(`metric "${name}": the labels model and version are set by mls; leave them out of labelNames`)
    const labelNames = [...MODEL_LABELS, ...extra]
    const known = this.families.get(name)
    if (known !== undefined) {
      if (known.kind !== kind || known.labelNames !== labelNames.join(',')) {
        throw new Error(`metric "${name}" is already registered as a ${known.kind} with labels ${known.labelNames}`)
      }
      return known.family
    }
    const config = {name, help, labelNames, registers: [this.registry]}
    let family: Family
    try {
      if (kind === 'counter') family = new Counter(config)
      else if (kind === 'gauge') family = new Gauge(config)
      else family = new Histogram({...config, buckets: [...(options.buckets ?? this.defaultBuckets)]})
    } catch (error) {
      throw new Error(`cannot register metric "${name}": ${(error as Error).message}`, {cause: error})
    }
    this.families.set(name, {kind, labelNames: labelNames.join(','), family})
    return family
  }
}
