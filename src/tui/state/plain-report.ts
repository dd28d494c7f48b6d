/** The dashboard as plain text, for `mls monitor` when stdout is not a terminal: one snapshot, no keys, no redraws. */
import {table} from '../../cli/style.js'
import type {DashboardView} from './dashboard-state.js'
import {formatCount, formatPercent, formatRate, formatSeconds} from './format.js'
import type {Rates} from './rates.js'

const rateCells = (rates: Rates | undefined) => [formatRate(rates?.rps), formatPercent(rates?.errorRate), formatSeconds(rates?.p50), formatSeconds(rates?.p99)]

/** Header lines, then the model table with a total line (no colours, no events). */
export function plainReport(view: DashboardView): string {
  const who = view.server ? `${view.server.name} ${view.server.version}` : 'server'
  const status = view.reachable ? `live, ${view.ready === undefined ? 'readiness unknown' : view.ready ? 'ready' : 'not ready'}` : `unreachable (${view.error})`
  const metrics =
    view.metricsError !== undefined
      ? `metrics ${view.metricsUrl}: unavailable (${view.metricsError})`
      : `metrics ${view.metricsUrl}: rates over ${view.windowSeconds ?? '-'} s, ${formatCount(view.total?.inFlight)} in flight`
  const lines = [`${who} at ${view.url}: ${status}`, metrics]
  if (view.indexError !== undefined) lines.push(`repository index unavailable (${view.indexError})`)
  lines.push('')
  if (view.models.length === 0) lines.push('no models')
  else {
    lines.push(
      table(
        ['NAME', 'VERSION', 'STATE', 'REQ/S', 'ERR%', 'P50', 'P99', 'INFL/Q', 'REASON'],
        [
          ...view.models.map((row) => [row.name, row.version ?? '-', row.state, ...rateCells(row.rates), `-/${formatCount(row.queue)}`, row.reason]),
          ['all models', '', '', ...rateCells(view.total), `${formatCount(view.total?.inFlight)}/${formatCount(view.total?.queue)}`, ''],
        ],
      ),
    )
  }
  return lines.join('\n')
}
