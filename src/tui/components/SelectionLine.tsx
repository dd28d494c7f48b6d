/**
 * One line under the table: the selected model's state, its failed inferences by error code and its full reason (with a
 * memory budget, also its memory: size and where it came from, pinned, when it was last used), or why the model list is
 * incomplete.
 */
import {Text} from 'ink'
import {memo} from 'react'
import {formatBytes} from '../../memory/byte-size.js'
import {modelLabel} from '../state/dashboard-event.js'
import {codesText} from '../state/error-codes.js'
import type {ModelRow, RowMemory} from '../state/dashboard-state.js'
import {formatClock} from '../state/format.js'
import {stateColour} from './theme.js'

/** The selected row, or why the model list is incomplete. */
export interface SelectionLineProps {
  readonly row?: ModelRow
  /** Why the repository index is unavailable, if it is. */
  readonly indexError?: string
}

/** "12 MiB measured · pinned · last used 12:00:03" (local time; "not used since start" before its first use). */
export function memoryDetail(memory: RowMemory): string {
  const parts = [`${formatBytes(memory.bytes)} ${memory.source}`]
  if (memory.pinned) parts.push('pinned')
  parts.push(memory.lastUsed === undefined ? 'not used since start' : `last used ${formatClock(memory.lastUsed)}`)
  return parts.join(' · ')
}

function SelectionLineView({row, indexError}: SelectionLineProps) {
  if (indexError !== undefined) {
    return (
      <Text wrap="truncate-end" color="yellow">
        {`repository index unavailable (${indexError}): models as the metrics show them; load / unload may fail`}
      </Text>
    )
  }
  if (row === undefined) return <Text> </Text>
  const memory = row.memory === undefined ? '' : `  ${memoryDetail(row.memory)}`
  return (
    <Text wrap="truncate-end">
      <Text color="cyan">{modelLabel(row.name, row.version)}</Text>
      {'  '}
      <Text color={stateColour(row.state)}>{row.state}</Text>
      {memory}
      {row.errors === undefined || row.errors.length === 0 ? null : <Text color="red">{`  errors: ${codesText(row.errors)}`}</Text>}
      {row.reason ? <Text color="gray">{`  ${row.reason}`}</Text> : null}
    </Text>
  )
}

/** The selection line (memoised). */
export const SelectionLine = memo(SelectionLineView)
