/**
 * `mls monitor`: the live dashboard when stdin and stdout are a terminal; otherwise (or with --json) one snapshot,
 * taken as two polls one interval apart so that the rates mean something, and printed.
 */
import {ConnectionError, type ClientCredentials, type MlsClient} from '../client/index.js'
import {httpSource} from '../tui/sources/http-source.js'
import type {MonitorSource} from '../tui/sources/monitor-source.js'
import {advance, defaultWindowMs, initialMemory, type DashboardView} from '../tui/state/dashboard-state.js'
import {canShowDashboard, loadRenderer} from '../tui/terminal/load-renderer.js'

/** What `mls monitor` resolved from its flags. */
export interface MonitorOptions {
  readonly url: string
  /** Where `url` came from (endpoints.ts), for the message when nothing answers there. */
  readonly origin?: string
  readonly metricsUrl: string
  /** For load / unload. */
  readonly client: MlsClient
  /** Token and CA for the polls (the index needs the token when the server protects the repository API). */
  readonly credentials?: ClientCredentials
  /** Time between polls, ms. */
  readonly intervalMs: number
  /** A snapshot even on a terminal. */
  readonly snapshot: boolean
}

/** Two polls `intervalMs` apart, as one view; throws ConnectionError when the server never answered. */
export async function takeSnapshot(source: MonitorSource, intervalMs: number, origin?: string): Promise<DashboardView> {
  let memory = initialMemory(source, defaultWindowMs(intervalMs))
  memory = advance(memory, await source.snapshot({metadata: true}), Date.now())
  if (memory.view.reachable) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
    memory = advance(memory, await source.snapshot({metadata: memory.view.server === undefined}), Date.now())
  }
  if (!memory.view.reachable) throw new ConnectionError(source.url, memory.view.error ?? 'no answer', undefined, origin)
  return memory.view
}

/** Shows the dashboard (resolves undefined when it quits) or returns one snapshot. */
export async function runMonitor(options: MonitorOptions): Promise<DashboardView | undefined> {
  const source = httpSource({url: options.url, metricsUrl: options.metricsUrl, client: options.client, credentials: options.credentials})
  if (options.snapshot || !canShowDashboard()) return takeSnapshot(source, options.intervalMs, options.origin)
  const {showMonitor} = await loadRenderer()
  await showMonitor({source, intervalMs: options.intervalMs})
  return undefined
}
