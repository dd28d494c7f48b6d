/** Custom metrics that go nowhere: for a server without metrics (metrics_endpoint null) and for runtimes made outside one. */
import type {RuntimeMetrics, RuntimeMetricsProvider} from '../runtime.js'

const NOTHING = () => {}

/** Accepts every registration and every observation, and keeps none. */
export const NO_METRICS: RuntimeMetrics = {
  counter: () => ({inc: NOTHING}),
  histogram: () => ({observe: NOTHING}),
  gauge: () => ({set: NOTHING, inc: NOTHING, dec: NOTHING}),
}

export const NO_METRICS_PROVIDER: RuntimeMetricsProvider = {forModel: () => NO_METRICS}
