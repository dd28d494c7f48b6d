/** The bottom line: the keys, or the filter being typed, or the unload question, or a notice from the host. */
import {Text} from 'ink'
import {memo} from 'react'
import type {UiState} from '../state/keys.js'

/** The UI state and what the footer needs to say about it. */
export interface FooterProps {
  readonly ui: UiState
  /** Overrides everything (e.g. "stopping the server…"). */
  readonly notice?: string
  /** How many models the filter hides. */
  readonly hidden: number
  /** Keys work only where stdin is a terminal. */
  readonly keys: boolean
}

function FooterView({ui, notice, hidden, keys}: FooterProps) {
  if (notice !== undefined) return <Text color="yellow" wrap="truncate-end">{notice}</Text>
  if (ui.mode === 'confirm') {
    return (
      <Text wrap="truncate-end">
        <Text color="yellow" bold>{`Unload ${ui.confirm} (every version)? `}</Text>y / Enter: unload, any other key: cancel
      </Text>
    )
  }
  if (ui.mode === 'filter') {
    return (
      <Text wrap="truncate-end">
        <Text color="cyan">/</Text> {ui.filter}
        <Text inverse> </Text>
        <Text color="gray">{'  Enter: keep  Esc: clear'}</Text>
      </Text>
    )
  }
  const filter = ui.filter ? `filter "${ui.filter}" (${hidden} hidden) · ` : ''
  if (!keys) return <Text color="gray" wrap="truncate-end">{`${filter}keys need a terminal on stdin · Ctrl+C quits`}</Text>
  return (
    <Text color="gray" wrap="truncate-end">
      {filter}↑↓ select · ⏎ detail · s sort · l load · u unload · / filter · ? help · q quit
    </Text>
  )
}

/** The footer line (memoised). */
export const Footer = memo(FooterView)
