/**
 * The dashboard: wires the hooks (server data, terminal size, keys, log lines) to the components, which only render.
 * `mls monitor` shows it alone; `mls start --tui` adds the server's log and stops the server on q.
 */
import {Box, useStdin} from 'ink'
import {useCallback} from 'react'
import {useDashboardKeys} from '../hooks/use-dashboard-keys.js'
import {useDashboard} from '../hooks/use-dashboard.js'
import {useLogLines} from '../hooks/use-log-lines.js'
import {useTerminalSize} from '../hooks/use-terminal-size.js'
import type {LogSource} from '../sources/log-buffer.js'
import type {MonitorSource} from '../sources/monitor-source.js'
import {selectedRow, shownRows, type Command} from '../state/keys.js'
import {dashboardLayout} from '../state/layout.js'
import {DetailView} from './DetailView.js'
import {ErrorLine} from './ErrorLine.js'
import {EventList} from './EventList.js'
import {Footer} from './Footer.js'
import {Header} from './Header.js'
import {HelpOverlay} from './HelpOverlay.js'
import {LogPane} from './LogPane.js'
import {MemoryLine} from './MemoryLine.js'
import {ModelTable} from './ModelTable.js'
import {RateLine} from './RateLine.js'
import {SelectionLine} from './SelectionLine.js'

/** What the host decides: where the data comes from, the rhythm, the log, what q does. */
export interface DashboardProps {
  readonly source: MonitorSource
  /** Time between polls, ms. */
  readonly intervalMs: number
  /** Span of rates and latencies, ms (default: 5 polls, at least 5 s). */
  readonly windowMs?: number
  /** The server's log, shown in a pane (mls start --tui). */
  readonly log?: LogSource
  /** Shown in the header before the server's name. */
  readonly title?: string
  /** Replaces the key hints (e.g. while the server stops). */
  readonly notice?: string
  /** What q does, for the help. */
  readonly quitLabel?: string
  /** Wall clock for event times (tests fix it). */
  readonly clock?: () => number
  readonly onQuit: () => void
}

/** The whole dashboard, one row shorter than the terminal. */
export function Dashboard({source, intervalMs, windowMs, log, title, notice, quitLabel = 'quit', clock, onQuit}: DashboardProps) {
  const data = useDashboard(source, {intervalMs, windowMs, clock})
  const {columns: terminalColumns, rows: terminalRows} = useTerminalSize()
  // One column short of the terminal: a line that fills it would leave the cursor in the margin (see anchored-output.ts).
  const columns = Math.max(terminalColumns - 1, 1)
  const logLines = useLogLines(log)
  const {isRawModeSupported} = useStdin()
  const onCommand = useCallback(
    (command: Command) => {
      if (command.type === 'quit') onQuit()
      else if (command.type === 'refresh') data.refresh()
      else data[command.type](command.name)
    },
    [data.refresh, data.load, data.unload, onQuit],
  )
  const ui = useDashboardKeys(data.view.models, onCommand)
  const {view} = data
  const visible = shownRows(view.models, ui)
  const selected = selectedRow(ui, visible)
  const layout = dashboardLayout(terminalRows, visible.length, log !== undefined, view.memory !== undefined)
  const empty = !view.polled ? 'waiting for the server…' : view.models.length === 0 ? 'no models' : 'no model matches the filter'
  return (
    <Box flexDirection="column" width={columns} height={layout.height} overflow="hidden">
      <Header view={view} intervalMs={intervalMs} title={title} sort={ui.sort} />
      <Box height={1} />
      {ui.mode === 'help' ? (
        <HelpOverlay width={columns} height={layout.bodyRows} quitLabel={quitLabel} />
      ) : ui.mode === 'detail' ? (
        <DetailView row={selected} history={selected === undefined ? undefined : view.modelHistory[selected.key]} events={view.events} windowSeconds={view.windowSeconds} width={columns} height={layout.bodyRows} />
      ) : (
        <>
          <ModelTable rows={visible} selectedKey={selected?.key} height={layout.tableRows} width={columns} total={view.total} empty={empty} />
          <SelectionLine row={selected} indexError={view.reachable ? view.indexError : undefined} />
          <RateLine history={view.history} width={columns} known={view.windowSeconds !== undefined} missing={view.metricsError} />
          <ErrorLine errors={view.errors} unknownModels={view.unknownModels} missing={view.metricsError} />
          {view.memory === undefined ? null : <MemoryLine memory={view.memory} width={columns} />}
          <EventList events={view.events} height={layout.eventRows} />
          {log === undefined ? null : <LogPane lines={logLines} height={layout.logRows} />}
        </>
      )}
      <Footer ui={ui} notice={notice} hidden={view.models.length - visible.length} keys={Boolean(isRawModeSupported)} />
    </Box>
  )
}
