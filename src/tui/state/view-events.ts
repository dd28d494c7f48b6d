/**
 * What changed from one view to the next, as events: the server reached or lost, readiness, metrics and index coming
 * and going (told only while the server answers), models new, changing state (with the reason) or gone, and requests that
 * failed since the previous scrape.
 */
import type {ScrapeCounters} from '../sources/scrape-counters.js'
import {failureEvent, modelLabel, type DashboardEvent} from './dashboard-event.js'
import type {DashboardView} from './dashboard-state.js'
import {windowRates} from './rates.js'

/** The events between two views (and the scrapes behind them), stamped `at`. */
export function viewEvents(before: DashboardView, after: DashboardView, lastScrape: ScrapeCounters | undefined, scrape: ScrapeCounters | undefined, at: number): DashboardEvent[] {
  const events: DashboardEvent[] = []
  const add = (level: DashboardEvent['level'], text: string) => events.push({time: at, level, text})
  if (!after.reachable && (before.reachable || !before.polled)) add('error', `cannot reach ${after.url}: ${after.error}`)
  if (after.reachable && !before.reachable) {
    const who = after.server ? ` (${after.server.name} ${after.server.version})` : ''
    add('ok', `${before.polled ? 'reconnected to' : 'connected to'} ${after.url}${who}`)
  }
  if (before.ready !== undefined && after.ready !== undefined && before.ready !== after.ready) {
    add(after.ready ? 'ok' : 'warn', after.ready ? 'server ready' : 'server not ready')
  }
  // Metrics and index are told of only while the server answers (when it does not, "cannot reach" says it all).
  const wasUp = before.polled && before.reachable
  if (after.reachable && after.metricsError !== undefined && (!wasUp || before.metricsError === undefined)) add('warn', `metrics unavailable (${after.metricsUrl}: ${after.metricsError})`)
  if (after.reachable && wasUp && after.metricsError === undefined && before.metricsError !== undefined) add('ok', 'metrics available')
  if (after.reachable && after.indexError !== undefined && (!wasUp || before.indexError === undefined)) add('warn', `repository index unavailable: ${after.indexError}`)
  if (before.polled) {
    const old = new Map(before.models.map((row) => [row.key, row]))
    for (const row of after.models) {
      const was = old.get(row.key)
      if (was === undefined) add('info', `${modelLabel(row.name, row.version)}: new, ${row.state}`)
      else if (was.state !== row.state) {
        const level = row.state === 'READY' ? 'ok' : row.state === 'UNAVAILABLE' ? 'error' : 'info'
        add(level, `${modelLabel(row.name, row.version)}: ${was.state} → ${row.state}${row.reason ? ` (${row.reason})` : ''}`)
      }
    }
    // Only an index read in both polls can say a model left it (its files were deleted under --watch, say).
    if (after.reachable && wasUp && after.indexError === undefined && before.indexError === undefined) {
      const now = new Set(after.models.map((row) => row.key))
      for (const row of before.models) if (!now.has(row.key)) add('info', `${modelLabel(row.name, row.version)}: gone from the repository`)
    }
  }
  // Failures since the previous scrape (not over the window, so each failure is told once).
  const step = lastScrape && scrape ? windowRates(lastScrape, scrape) : undefined
  for (const row of after.models) {
    const failures = step?.models.get(row.key)?.failures ?? 0
    if (failures > 0) events.push(failureEvent(row.key, modelLabel(row.name, row.version), failures, at))
  }
  return events
}
