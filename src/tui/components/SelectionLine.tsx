/** One line under the table: the selected model's state and full reason, or why the model list is incomplete. */
import {Text} from 'ink'
import {memo} from 'react'
import {modelLabel} from '../state/dashboard-event.js'
import type {ModelRow} from '../state/dashboard-state.js'
import {stateColour} from './theme.js'

/** The selected row, or why the model list is incomplete. */
export interface SelectionLineProps {
  readonly row?: ModelRow
  /** Why the repository index is unavailable, if it is. */
  readonly indexError?: string
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
  return (
    <Text wrap="truncate-end">
      <Text color="cyan">{modelLabel(row.name, row.version)}</Text>
      {'  '}
      <Text color={stateColour(row.state)}>{row.state}</Text>
      {row.reason ? <Text color="gray">{`  ${row.reason}`}</Text> : null}
    </Text>
  )
}

/** The selection line (memoised). */
export const SelectionLine = memo(SelectionLineView)
