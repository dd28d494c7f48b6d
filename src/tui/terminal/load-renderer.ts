/**
 * Loads the dashboard renderer (React and Ink) only when a dashboard is shown: they cost start-up time, React picks its
 * build from NODE_ENV when first imported (the development build is slow), and Ink reads the CI variable at import.
 */
import {preferInteractiveRendering} from '../../cli/interactive-terminal.js'

/** True when a dashboard can run: stdout to draw on and stdin to read keys from are both terminals. */
export function canShowDashboard(): boolean {
  return Boolean(process.stdout.isTTY && process.stdin.isTTY)
}

/** Sets NODE_ENV (production unless set) and the CI variable for Ink, then imports the renderer. */
export async function loadRenderer(): Promise<typeof import('./render-dashboard.js')> {
  process.env.NODE_ENV ??= 'production'
  preferInteractiveRendering()
  return import('./render-dashboard.js')
}
