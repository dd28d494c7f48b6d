/**
 * The model table's columns as text cells: name and version as wide as the content (within bounds), numbers
 * right-aligned in fixed widths that include the space before them, the reason last in whatever width is left. On a
 * narrow terminal INFL/Q goes first (it is "-" for every model until per-model queues exist), so the reason keeps room.
 * SIZE (a version's memory, "~" when estimated) is there only when the server has a memory_budget, and goes after INFL/Q.
 */
import type {ModelRow} from './dashboard-state.js'
import {formatPercent, formatRate, formatSeconds} from './format.js'
import type {Rates} from './rates.js'

/** One line's cells, padded to their column's width (an empty inFlight: the column is hidden). */
export interface Cells {
  readonly name: string
  readonly version: string
  readonly state: string
  readonly size: string
  readonly rps: string
  readonly errors: string
  readonly p50: string
  readonly p99: string
  readonly inFlight: string
  readonly reason: string
}

/** The widths chosen for one frame. */
export interface Columns {
  readonly name: number
  readonly version: number
  readonly inFlight: boolean
  /** SIZE is shown (some row has its memory, and there is room). */
  readonly size: boolean
  /** Width left for the reason. */
  readonly reason: number
}

const MARKER = 2
const GAP = 2
const STATE = 11
const RATE = 7
const PERCENT = 7
const LATENCY = 8
const IN_FLIGHT = 8
const SIZE = 11
/** The reason gets at least this much before INFL/Q is dropped. */
const REASON_ROOM = 16

/** The column headings. */
export const HEADINGS = {name: 'NAME', version: 'VERSION', state: 'STATE', size: 'SIZE', rps: 'REQ/S', errors: 'ERR%', p50: 'P50', p99: 'P99', inFlight: 'INFL/Q', reason: 'REASON'}

const clamp = (value: number, min: number, max: number) => Math.min(Math.max(value, min), max)

/** Widths for `rows` in a table `width` columns wide. */
export function columnsFor(rows: readonly ModelRow[], width: number): Columns {
  const name = clamp(Math.max(...rows.map((row) => row.name.length), 10), 10, 32)
  const version = clamp(Math.max(...rows.map((row) => (row.version ?? '-').length), HEADINGS.version.length), HEADINGS.version.length, 16)
  const fixed = MARKER + name + GAP + version + GAP + STATE + RATE + PERCENT + 2 * LATENCY + GAP
  const size = rows.some((row) => row.memory !== undefined) && width - fixed - SIZE >= REASON_ROOM
  const rest = width - fixed - (size ? SIZE : 0)
  const inFlight = rest - IN_FLIGHT >= REASON_ROOM
  return {name, version, inFlight, size, reason: Math.max(rest - (inFlight ? IN_FLIGHT : 0), 0)}
}

const left = (text: string, width: number) => (text.length > width ? `${text.slice(0, Math.max(width - 1, 0))}…` : text.padEnd(width))
const right = (text: string, width: number) => text.padStart(width)

/** Cells of one line from already formatted values. */
export function cells(columns: Columns, values: {[K in keyof Cells]: string}): Cells {
  return {
    name: left(values.name, columns.name),
    version: left(values.version, columns.version),
    state: left(values.state, STATE),
    size: columns.size ? right(values.size, SIZE) : '',
    rps: right(values.rps, RATE),
    errors: right(values.errors, PERCENT),
    p50: right(values.p50, LATENCY),
    p99: right(values.p99, LATENCY),
    inFlight: columns.inFlight ? right(values.inFlight, IN_FLIGHT) : '',
    reason: values.reason.length > columns.reason ? left(values.reason, columns.reason) : values.reason,
  }
}

/** A whole line as text (the heading), with the same spacing as the coloured rows. */
export function lineText(c: Cells): string {
  return `${c.name}${' '.repeat(GAP)}${c.version}${' '.repeat(GAP)}${c.state}${c.size}${c.rps}${c.errors}${c.p50}${c.p99}${c.inFlight}${' '.repeat(GAP)}${c.reason}`
}

/** The formatted rate cells of a row or of the total. */
export function rateValues(rates: Rates | undefined): Pick<Cells, 'rps' | 'errors' | 'p50' | 'p99'> {
  return {rps: formatRate(rates?.rps), errors: formatPercent(rates?.errorRate), p50: formatSeconds(rates?.p50), p99: formatSeconds(rates?.p99)}
}
