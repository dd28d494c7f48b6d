/**
 * The model table: one line per model version (state coloured, the selected one marked), scrolled to keep the
 * selection in view, and a total line for all models. INFL/Q is in flight / queued: the REST in-progress gauge counts
 * inferences by route, not by model, so in flight is a total only; queued is per model where the server has queue
 * gauges (batch_request_queue, parallel_request_queue), "-" where it has none. With a memory_budget, SIZE is each
 * version's memory ("~" when estimated; grey when it is not in memory) and a pinned version says so in its reason.
 */
import {Box, Text} from 'ink'
import {memo} from 'react'
import type {DashboardView, ModelRow} from '../state/dashboard-state.js'
import {formatMemorySize} from '../../cli/memory-cells.js'
import {formatCount} from '../state/format.js'
import {cells, columnsFor, HEADINGS, lineText, rateValues, type Cells, type Columns} from '../state/table-columns.js'
import {errorColour, stateColour} from './theme.js'

/** The rows to show (filtered), the selection, the space, the total. */
export interface ModelTableProps {
  readonly rows: readonly ModelRow[]
  readonly selectedKey?: string
  /** Model lines that fit. */
  readonly height: number
  readonly width: number
  readonly total: DashboardView['total']
  /** Why there are no rows, when there are none. */
  readonly empty: string
}

function Line({cells: c, marker, bold, stateColor, errorColor, sizeColor}: {readonly cells: Cells; readonly marker: string; readonly bold?: boolean; readonly stateColor?: string; readonly errorColor?: string; readonly sizeColor?: string}) {
  return (
    <Text wrap="truncate-end" bold={bold}>
      {marker}
      <Text color={marker.trim() ? 'cyan' : undefined}>{c.name}</Text>
      {'  '}
      {c.version}
      {'  '}
      <Text color={stateColor}>{c.state}</Text>
      <Text color={sizeColor}>{c.size}</Text>
      {c.rps}
      <Text color={errorColor}>{c.errors}</Text>
      {c.p50}
      {c.p99}
      {c.inFlight}
      {'  '}
      <Text color="gray">{c.reason}</Text>
    </Text>
  )
}

/** The first row shown, so that the selected row is within the `height` rows. */
function scrollTop(rows: readonly ModelRow[], selectedKey: string | undefined, height: number): number {
  const selected = Math.max(0, rows.findIndex((row) => row.key === selectedKey))
  return Math.min(Math.max(0, selected - height + 1), Math.max(0, rows.length - height))
}

function rowCells(columns: Columns, row: ModelRow): Cells {
  const size = row.memory === undefined ? '-' : formatMemorySize({memory_bytes: row.memory.bytes, memory_source: row.memory.source})
  const reason = row.reason || (row.memory?.pinned ? 'pinned' : '')
  return cells(columns, {name: row.name, version: row.version ?? '-', state: row.state, size, ...rateValues(row.rates), inFlight: `-/${formatCount(row.queue)}`, reason})
}

function ModelTableView({rows, selectedKey, height, width, total, empty}: ModelTableProps) {
  const columns = columnsFor(rows, width)
  const top = scrollTop(rows, selectedKey, height)
  const shown = rows.slice(top, top + height)
  const more = rows.length - top - shown.length
  const totalCells = cells(columns, {name: 'all models', version: '', state: '', size: '', ...rateValues(total), inFlight: `${formatCount(total?.inFlight)}/${formatCount(total?.queue)}`, reason: more > 0 ? `(${more} more below)` : top > 0 ? `(${top} more above)` : ''})
  return (
    <Box flexDirection="column">
      <Text bold color="gray" wrap="truncate-end">
        {'  '}
        {lineText(cells(columns, HEADINGS))}
      </Text>
      <Box flexDirection="column" height={height}>
        {shown.length === 0 ? (
          <Text color="gray">{`  ${empty}`}</Text>
        ) : (
          shown.map((row) => (
            <Line key={row.key} cells={rowCells(columns, row)} marker={row.key === selectedKey ? '› ' : '  '} stateColor={stateColour(row.state)} errorColor={errorColour(row.rates?.errorRate)} sizeColor={row.state === 'READY' ? undefined : 'gray'} />
          ))
        )}
      </Box>
      <Line cells={totalCells} marker="  " bold errorColor={errorColour(total?.errorRate)} />
    </Box>
  )
}

/** The model table (memoised). */
export const ModelTable = memo(ModelTableView)
