/**
 * How the terminal's rows are shared: header, model table, selected model's line, rate line, error line, events, the server's
 * log (with `mls start --tui`), footer; with a memory budget, one more line for it. The whole dashboard is one row shorter than the terminal: Ink clears the
 * screen before every frame that fills it, which would flicker.
 */

export interface Layout {
  /** Rows of the whole dashboard. */
  readonly height: number
  /** Model rows shown (the table scrolls to keep the selection in view). */
  readonly tableRows: number
  /** Event lines shown. */
  readonly eventRows: number
  /** Log lines shown (0 without a log). */
  readonly logRows: number
  /** Rows between header and footer (for the help overlay). */
  readonly bodyRows: number
}

// Header 2 + blank 1 + table heading 1 + total row 1 + detail 1 + rate line 1 + error line 1 + events title 1 + footer 1.
const FIXED = 10
const LOG_TITLE = 1
const HEADER_AND_FOOTER = 4

/**
 * The rows of each part for a terminal `terminalRows` high, `models` rows to show, with or without a log pane, and with
 * or without the memory budget line.
 */
export function dashboardLayout(terminalRows: number, models: number, withLog: boolean, withMemory = false): Layout {
  const height = Math.max(terminalRows - 1, 1)
  const free = Math.max(height - FIXED - (withLog ? LOG_TITLE : 0) - (withMemory ? 1 : 0), 0)
  // The table gets what it needs, but leaves room for a few events (and more for a log).
  const reserve = Math.min(free - 1, withLog ? 8 : 3)
  const tableRows = Math.max(Math.min(Math.max(models, 1), free - Math.max(reserve, 0)), Math.min(1, free))
  const rest = Math.max(free - tableRows, 0)
  const eventRows = withLog ? Math.min(Math.max(Math.floor(rest / 3), Math.min(rest, 2)), 8) : rest
  return {height, tableRows, eventRows, logRows: withLog ? rest - eventRows : 0, bodyRows: Math.max(height - HEADER_AND_FOOTER, 0)}
}
