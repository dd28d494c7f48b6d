/**
 * Reads keys (only where stdin supports raw mode: Ink's useInput throws otherwise) and keeps the UI state: selection,
 * filter, sort, confirmation, help, detail. Each key goes through the pure `handleKey`; a command it yields goes to `onCommand`.
 */
import {useInput, useStdin} from 'ink'
import {useRef, useState} from 'react'
import type {ModelRow} from '../state/dashboard-state.js'
import {handleKey, INITIAL_UI, shownRows, type Command, type UiState} from '../state/keys.js'

/** The UI state; `rows` are all models (the filter is applied here), `onCommand` runs what a key asks for. */
export function useDashboardKeys(rows: readonly ModelRow[], onCommand: (command: Command) => void): UiState {
  const {isRawModeSupported} = useStdin()
  const [ui, setUi] = useState(INITIAL_UI)
  // Ink swaps in a new input handler only after a render's effects, so quick keys would see stale state: the
  // handler reads and writes the current UI state (and the latest rows and callback) through refs.
  const current = useRef(INITIAL_UI)
  const latestRows = useRef(rows)
  latestRows.current = rows
  const latestCommand = useRef(onCommand)
  latestCommand.current = onCommand
  useInput(
    (input, key) => {
      const result = handleKey(current.current, input, key, shownRows(latestRows.current, current.current))
      if (result.ui !== current.current) {
        current.current = result.ui
        setUi(result.ui)
      }
      if (result.command) latestCommand.current(result.command)
    },
    {isActive: Boolean(isRawModeSupported)},
  )
  return ui
}
