/** How the dashboard writes numbers: short, fixed precision, "-" for unknown. */

/** Requests per second: "0.0", "12.5", "345", "12.3k". */
export function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-'
  if (value < 100) return value.toFixed(1)
  if (value < 10_000) return String(Math.round(value))
  return `${(value / 1000).toFixed(1)}k`
}

/** A 0..1 ratio as a percentage: "0%", "<0.1%", "2.5%", "100%". */
export function formatPercent(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-'
  if (value === 0) return '0%'
  if (value < 0.001) return '<0.1%'
  if (value >= 1) return '100%'
  return `${(value * 100).toFixed(1)}%`
}

/** A duration in seconds: "250µs", "1.25ms", "12.5ms", "125ms", "1.25s". */
export function formatSeconds(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-'
  if (value < 0.001) return `${Math.round(value * 1e6)}µs`
  if (value < 1) {
    const ms = value * 1000
    return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)}ms`
  }
  return `${value.toFixed(2)}s`
}

/** A count that may be unknown: "3", "-". */
export function formatCount(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : String(Math.round(value))
}

/** Wall-clock time of day, HH:MM:SS (local time). */
export function formatClock(time: number): string {
  const date = new Date(time)
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}
