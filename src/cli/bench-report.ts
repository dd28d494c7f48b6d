/** The result of `mls bench` as text: what was measured, then one row per concurrency level. */
import type {RequestSource} from './bench-requests.js'
import {describeSource} from './bench-requests.js'
import type {LevelResult} from '../benchmark/run-benchmark.js'
import {modelLabel} from '../repository/model-label.js'
import {paint, table} from './style.js'

export interface BenchReport {
  readonly model: string
  readonly version?: string
  readonly transport: 'rest' | 'grpc'
  readonly target: string
  readonly binary: boolean
  readonly batchSize: number
  readonly data: RequestSource & {readonly requests: number}
  readonly durationSeconds?: number
  readonly requestsPerLevel?: number
  readonly warmupSeconds: number
  readonly levels: readonly LevelResult[]
  /** Failed requests over every level. */
  readonly errors: number
  readonly requests: number
}

const ms = (x: number | undefined) => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1))

export function encodingName(report: Pick<BenchReport, 'transport' | 'binary'>): string {
  if (report.transport === 'grpc') return report.binary ? 'raw_input_contents' : 'typed contents'
  return report.binary ? 'binary tensor data' : 'JSON'
}

export function formatBenchReport(r: BenchReport): string {
  const until = [r.durationSeconds && `${r.durationSeconds} s`, r.requestsPerLevel && `${r.requestsPerLevel} requests`].filter(Boolean).join(' or ')
  const lines = [
    `${modelLabel({name: r.model, version: r.version || undefined})} over ${r.transport === 'grpc' ? 'gRPC' : 'REST'} at ${r.target} (${encodingName(r)}), batch size ${r.batchSize}`,
    `data: ${describeSource(r.data)}; ${r.data.requests} distinct request${r.data.requests === 1 ? '' : 's'} sent in turn`,
    `each level: ${until}${r.warmupSeconds > 0 ? `, after ${r.warmupSeconds} s of warm-up` : ''}`,
    '',
    table(
      ['CONCURRENCY', 'REQUESTS', 'REQ/S', 'ROWS/S', 'P50 MS', 'P90 MS', 'P99 MS', 'ERRORS', 'FIRST ERROR'],
      r.levels.map((l) => [
        String(l.concurrency),
        String(l.requests),
        l.requestsPerSecond.toFixed(1),
        l.rowsPerSecond.toFixed(1),
        ms(l.latencyMs?.p50),
        ms(l.latencyMs?.p90),
        ms(l.latencyMs?.p99),
        l.errors === 0 ? '0' : paint('red', String(l.errors)),
        l.firstError ?? '',
      ]),
    ),
  ]
  return lines.join('\n')
}
