/** Latencies of one measurement in a growing Float64Array (a long run records millions), summed up as percentiles. */
import {percentile, type LatencySummary} from '../testing/stats.js'

const round = (x: number) => Math.round(x * 1000) / 1000

export class LatencyRecorder {
  private values = new Float64Array(1024)
  private size = 0

  get count(): number {
    return this.size
  }

  record(ms: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2)
      grown.set(this.values)
      this.values = grown
    }
    this.values[this.size++] = ms
  }

  /** p50 / p90 / p99 (nearest rank), mean and max in ms, rounded to the µs; null when nothing was recorded. */
  summary(): LatencySummary | null {
    if (this.size === 0) return null
    const sorted = this.values.slice(0, this.size).sort() // a typed array sorts numerically
    let sum = 0
    for (const v of sorted) sum += v
    return {
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      mean: round(sum / sorted.length),
      max: round(sorted[sorted.length - 1]),
    }
  }
}
