/**
 * How each family is combined across processes on the primary's metrics port (prom-client's AggregatorRegistry).
 * Counters and histograms sum (the default): the totals of the whole server. Gauges that say a state, the same in
 * every process, take the max: model_state stays 1 for READY with N processes (and during a repository operation, a
 * state any process is in reads 1). Queue and in-progress gauges sum: requests waiting in the whole server.
 */
import type {Registry} from 'prom-client'

type Aggregator = 'sum' | 'max' | 'min' | 'average' | 'first' | 'omit'

/** Families whose aggregator is not the default sum. */
export const AGGREGATORS: Readonly<Record<string, Aggregator>> = {
  model_state: 'max',
}

/** Sets the aggregator of every family of `registry` named in AGGREGATORS (families registered later keep sum). */
export function applyAggregators(registry: Registry): void {
  for (const [name, aggregator] of Object.entries(AGGREGATORS)) {
    const metric = registry.getSingleMetric(name) as unknown as {aggregator?: Aggregator} | undefined
    if (metric) metric.aggregator = aggregator
  }
}
