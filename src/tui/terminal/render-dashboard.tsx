/**
 * Puts a Dashboard on the terminal (alternate screen, frames redrawn in place: see anchored-output.ts) and resolves
 * when it is gone. Imported lazily, after NODE_ENV and the CI variable are settled (see load-renderer.ts).
 */
import {render, type Instance} from 'ink'
import {Dashboard, type DashboardProps} from '../components/Dashboard.js'
import {enterAlternateScreen} from './alternate-screen.js'
import {anchoredOutput} from './anchored-output.js'

/** The props of a dashboard, less what the renderer decides. */
export type ShownDashboard = Omit<DashboardProps, 'onQuit' | 'notice'>

function mount(props: DashboardProps): {app: Instance; leave: () => void} {
  const leave = enterAlternateScreen(process.stdout)
  // Ink's own Ctrl+C handling would exit without the host's say; the keys treat Ctrl+C as q.
  const app = render(<Dashboard {...props} />, {stdout: anchoredOutput(process.stdout), exitOnCtrlC: false, patchConsole: false})
  return {app, leave}
}

/** `mls monitor`: shows the dashboard until q, Ctrl+C, SIGINT or SIGTERM. */
export async function showMonitor(props: ShownDashboard): Promise<void> {
  let quit = () => {}
  const {app, leave} = mount({...props, onQuit: () => quit()})
  quit = () => app.unmount()
  const onSignal = () => quit()
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    await app.waitUntilExit()
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    leave()
  }
}

/** A server the dashboard can stop: `stop` begins a graceful stop (once) and resolves when it is over. */
export interface Stoppable {
  stop(reason: string): Promise<unknown>
  /** Resolves when the server has stopped, whoever stopped it (q, or a signal). */
  readonly stopped: Promise<unknown>
  /** Calls `listener` when a stop begins. */
  onStopping(listener: () => void): void
}

/** `mls start --tui`: shows the dashboard and the log until the server has stopped (q asks it to, as signals do). */
export async function showServerDashboard(props: ShownDashboard, server: Stoppable): Promise<void> {
  const full: DashboardProps = {...props, quitLabel: 'stop the server (in-flight requests finish) and quit', onQuit: () => void server.stop('q')}
  const {app, leave} = mount(full)
  server.onStopping(() => app.rerender(<Dashboard {...full} notice="stopping the server: in-flight requests finish first…" />))
  try {
    await server.stopped
    app.unmount()
    await app.waitUntilExit()
  } finally {
    leave()
  }
}
