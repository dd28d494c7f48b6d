/** The summary of `mls test` as text. */
import type {TestSummary} from '../testing/run-test-set.js'
import {paint, table} from './style.js'

const pct = (x: number) => `${(x * 100).toFixed(2)}%`

export function formatTestSummary(s: TestSummary, passed: boolean, minAgreement: number): string {
  const rows: string[][] = [
    // The version that answered: the one asked for, or the server's default.
    ['model', `${s.model}${s.version ? ` ${s.version}` : ''}${s.versionRequested ? '' : ' (the default version)'}`],
    ['rows / requests', `${s.rows} / ${s.requests}`],
    ['errors', s.errors === 0 ? '0' : paint('red', String(s.errors))],
    ['agreement', `${pct(s.agreement)} (${s.agreeingRows}/${s.rows} rows; tolerance ${s.tolerance})`],
  ]
  if (s.accuracy !== undefined) rows.push(['accuracy', `${pct(s.accuracy)} against the true labels`])
  rows.push(
    ['latency', `p50 ${s.latencyMs.p50} ms  p90 ${s.latencyMs.p90} ms  p99 ${s.latencyMs.p99} ms  (mean ${s.latencyMs.mean} ms)`],
    ['throughput', `${s.throughput.rowsPerSecond} rows/s  ${s.throughput.requestsPerSecond} requests/s  in ${s.durationMs} ms`],
  )
  if (s.firstError) rows.push(['first error', s.firstError])
  if (s.firstMismatch) rows.push(['first mismatch', s.firstMismatch])
  const verdict = passed ? paint('green', 'PASS') : paint('red', `FAIL: agreement ${pct(s.agreement)} is below ${pct(minAgreement)}`)
  return `${table(['', ''], rows).split('\n').slice(1).join('\n')}\n${verdict}`
}
