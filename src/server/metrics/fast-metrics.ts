/**
 * Counters, gauges and histograms for the per-request path. prom-client hashes the label set on every inc() and
 * observe(), even through a labelled child; these keep one plain child object per label set, so a request costs a few
 * additions. They register in a prom-client Registry as prom-client's own metrics do (name, help, type, aggregator,
 * get()), so the exposition text, the registry's JSON and the multi-process aggregation are prom-client's.
 */
import type {Registry} from 'prom-client'

type Labels = Readonly<Record<string, string>>
type Aggregator = 'sum' | 'first' | 'min' | 'max' | 'average' | 'omit'

interface Sample {
  readonly value: number
  readonly labels: Labels
  readonly metricName?: string
}

interface MetricOptions<L extends string> {
  readonly name: string
  readonly help: string
  readonly labelNames: readonly L[]
  readonly registers: readonly Registry[]
}

abstract class FastMetric<L extends string, C> {
  abstract readonly type: 'counter' | 'gauge' | 'histogram'
  /** How the multi-process primary merges this metric across processes (prom-client's AggregatorRegistry). */
  aggregator: Aggregator = 'sum'
  readonly name: string
  readonly help: string
  private readonly labelNames: readonly L[]
  private readonly children = new Map<string, {readonly labels: Labels; readonly child: C}>()

  constructor(options: MetricOptions<L>) {
    this.name = options.name
    this.help = options.help
    this.labelNames = options.labelNames
    for (const registry of options.registers) registry.registerMetric(this as never)
  }

  protected abstract makeChild(): C
  protected abstract samples(labels: Labels, child: C): Sample[]

  /** The child of one label set (made on first use; keep it: calls on it do no label work). */
  labels(labels: Readonly<Record<L, string>>): C {
    const key = this.labelNames.map((name) => labels[name]).join('\0')
    let entry = this.children.get(key)
    if (entry === undefined) {
      const own: Record<string, string> = {}
      for (const name of this.labelNames) own[name] = labels[name]
      entry = {labels: own, child: this.makeChild()}
      this.children.set(key, entry)
    }
    return entry.child
  }

  reset(): void {
    this.children.clear()
  }

  async get(): Promise<{name: string; help: string; type: string; values: Sample[]; aggregator: Aggregator}> {
    const values: Sample[] = []
    for (const {labels, child} of this.children.values()) values.push(...this.samples(labels, child))
    return {name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator}
  }
}

export interface CounterChild {
  inc(by?: number): void
}

export class FastCounter<L extends string> extends FastMetric<L, CounterChild> {
  readonly type = 'counter'
  protected makeChild(): CounterChild & {value: number} {
    return {
      value: 0,
      inc(by = 1) {
        this.value += by
      },
    }
  }

  protected samples(labels: Labels, child: CounterChild & {value: number}): Sample[] {
    return [{value: child.value, labels}]
  }
}

export interface GaugeChild {
  inc(): void
  dec(): void
}

export class FastGauge<L extends string> extends FastMetric<L, GaugeChild> {
  readonly type = 'gauge'
  protected makeChild(): GaugeChild & {value: number} {
    return {
      value: 0,
      inc() {
        this.value++
      },
      dec() {
        this.value--
      },
    }
  }

  protected samples(labels: Labels, child: GaugeChild & {value: number}): Sample[] {
    return [{value: child.value, labels}]
  }
}

export interface HistogramChild {
  observe(value: number): void
}

interface HistogramState extends HistogramChild {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array
  sum: number
  count: number
}

export class FastHistogram<L extends string> extends FastMetric<L, HistogramChild> {
  readonly type = 'histogram'
  private readonly buckets: readonly number[]

  constructor(options: MetricOptions<L> & {readonly buckets: readonly number[]}) {
    super(options)
    this.buckets = [...options.buckets].sort((a, b) => a - b)
  }

  protected makeChild(): HistogramState {
    const buckets = this.buckets
    return {
      counts: new Float64Array(buckets.length + 1),
      sum: 0,
      count: 0,
      observe(value: number) {
        let i = 0
        while (i < buckets.length && value > buckets[i]) i++
        this.counts[i]++
        this.sum += value
        this.count++
      },
    }
  }

  protected samples(labels: Labels, child: HistogramState): Sample[] {
    const out: Sample[] = []
    let cumulative = 0
    const bucketName = `${this.name}_bucket`
    for (let i = 0; i <= this.buckets.length; i++) {
      cumulative += child.counts[i]
      const le = i < this.buckets.length ? String(this.buckets[i]) : '+Inf'
      out.push({value: cumulative, labels: {le, ...labels}, metricName: bucketName})
    }
    out.push({value: child.sum, labels, metricName: `${this.name}_sum`})
    out.push({value: child.count, labels, metricName: `${this.name}_count`})
    return out
  }
}
