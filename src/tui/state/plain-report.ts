/** The dashboard as plain text, for `mls monitor` when stdout is not a terminal: one snapshot, no keys, no redraws. */
import {formatMemorySize} from '../../cli/memory-cells.js'
import {table} from '../../cli/style.js'
import type {DashboardView} from './dashboard-state.js'
import {modelLabel} from './dashboard-event.js'
import {codesText, unknownModelsText} from './error-codes.js'
import {formatCount, formatPercent, formatRate, formatSeconds} from './format.js'
import {memoryText} from './memory-text.js'
import type {Rates} from './rates.js'

const rateCells = (rates: Rates | undefined) => [formatRate(rates?.rps), formatPercent(rates?.errorRate), formatSeconds(rates?.p50), formatSeconds(rates?.p99)]

/** Header lines (the errors by code among them), the model table with a total line, each model's errors (no colours, no events). */
export function plainReport(view: DashboardView): string {
  const who = view.server ? `${view.server.name} ${view.server.version}` : 'server'
  const status = view.reachable ? `live, ${view.ready === undefined ? 'readiness unknown' : view.ready ? 'ready' : 'not ready'}` : `unreachable (${view.error})`
  const metrics =
    view.metricsError !== undefined
      ? `metrics ${view.metricsUrl}: unavailable (${view.metricsError})`
      : `metrics ${view.metricsUrl}: rates over ${view.windowSeconds ?? '-'} s, ${formatCount(view.total?.inFlight)} in flight`
  const lines = [`${who} at ${view.url}: ${status}`, metrics]
  if (view.memory !== undefined) {
    const {amount, rates} = memoryText(view.memory)
    lines.push(`memory ${amount}: ${rates}`)
  }
  if (view.errors !== undefined || view.unknownModels !== undefined) {
    const unknown = view.unknownModels === undefined ? '' : `; ${unknownModelsText(view.unknownModels)}`
    lines.push(`errors since the server started: ${view.errors === undefined ? '-' : codesText(view.errors)}${unknown}`)
  }
  if (view.indexError !== undefined) lines.push(`repository index unavailable (${view.indexError})`)
  lines.push('')
  if (view.models.length === 0) lines.push('no models')
  else {
    // SIZE only with a memory budget (some row has its memory); the table is otherwise as it was.
    const sized = view.models.some((row) => row.memory !== undefined)
    const size = (cell: string) => (sized ? [cell] : [])
    lines.push(
      table(
        ['NAME', 'VERSION', 'STATE', ...size('SIZE'), 'REQ/S', 'ERR%', 'P50', 'P99', 'INFL/Q', 'REASON'],
        [
          ...view.models.map((row) => [
            row.name,
            row.version ?? '-',
            row.state,
            ...size(row.memory === undefined ? '-' : formatMemorySize({memory_bytes: row.memory.bytes, memory_source: row.memory.source})),
            ...rateCells(row.rates),
            `-/${formatCount(row.queue)}`,
            row.reason || (row.memory?.pinned ? 'pinned' : ''),
          ]),
          ['all models', '', '', ...size(''), ...rateCells(view.total), `${formatCount(view.total?.inFlight)}/${formatCount(view.total?.queue)}`, ''],
        ],
      ),
    )
  }
  // Each model's failures by code, under the table (a column would be as wide as its longest list).
  const failing = view.models.filter((row) => row.errors !== undefined && row.errors.length > 0)
  if (failing.length > 0) lines.push('', ...failing.map((row) => `${modelLabel(row.name, row.version)}: ${codesText(row.errors!)}`))
  return lines.join('\n')
}
