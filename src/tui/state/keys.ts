/**
 * What each key does, as a pure function of the UI state: the next UI state and, at most, one command for the host
 * (load, unload, refresh, quit). Normal mode: arrows / j k select, Enter details, s / S sort, l load, u unload (asks
 * first), r refresh, / filter, ? help, q quit. The filter, the confirmation, the help overlay and the detail view are
 * modes of their own.
 */
import type {Key} from 'ink'
import type {ModelRow} from './dashboard-state.js'
import {DEFAULT_SORT, nextSort, reverseSort, sortRows, type SortOrder} from './sort.js'

/** Normal keys, typing a filter, answering the unload question, reading the help, or the selected model's detail. */
export type Mode = 'normal' | 'filter' | 'confirm' | 'help' | 'detail'

/** What the user has chosen on screen (the data itself lives in DashboardView). */
export interface UiState {
  readonly mode: Mode
  /** Models whose name or version contains this (case-insensitive) are shown. */
  readonly filter: string
  /** Key of the selected model version; the first visible one when unset or filtered out. */
  readonly selected?: string
  /** The model name an unload waits to be confirmed for. */
  readonly confirm?: string
  /** The order of the table. */
  readonly sort: SortOrder
}

/** What the host does after a key. */
export type Command = {readonly type: 'load' | 'unload'; readonly name: string} | {readonly type: 'refresh'} | {readonly type: 'quit'}

/** Nothing selected yet (the first model is), no filter. */
export const INITIAL_UI: UiState = {mode: 'normal', filter: '', sort: DEFAULT_SORT}

/** The rows the filter lets through. */
export function visibleRows(rows: readonly ModelRow[], filter: string): readonly ModelRow[] {
  const needle = filter.trim().toLowerCase()
  if (needle === '') return rows
  return rows.filter((row) => row.name.toLowerCase().includes(needle) || (row.version ?? '').toLowerCase().includes(needle))
}

/** The rows the table shows: those the filter lets through, in the chosen order. */
export function shownRows(rows: readonly ModelRow[], ui: UiState): readonly ModelRow[] {
  return sortRows(visibleRows(rows, ui.filter), ui.sort)
}

/** The selected row among the visible ones. */
export function selectedRow(ui: UiState, visible: readonly ModelRow[]): ModelRow | undefined {
  return visible.find((row) => row.key === ui.selected) ?? visible[0]
}

const isQuit = (input: string, key: Key) => input === 'q' || (key.ctrl && input === 'c')

function move(ui: UiState, visible: readonly ModelRow[], step: number): UiState {
  if (visible.length === 0) return ui
  const current = Math.max(0, visible.findIndex((row) => row.key === selectedRow(ui, visible)?.key))
  const next = Math.min(visible.length - 1, Math.max(0, current + step))
  return {...ui, selected: visible[next].key}
}

function normal(ui: UiState, input: string, key: Key, visible: readonly ModelRow[]): {ui: UiState; command?: Command} {
  if (key.upArrow || input === 'k') return {ui: move(ui, visible, -1)}
  if (key.downArrow || input === 'j') return {ui: move(ui, visible, 1)}
  if (key.pageUp) return {ui: move(ui, visible, -10)}
  if (key.pageDown) return {ui: move(ui, visible, 10)}
  if (key.escape) return {ui: {...ui, filter: ''}}
  const row = selectedRow(ui, visible)
  if (key.return) return row ? {ui: {...ui, selected: row.key, mode: 'detail'}} : {ui}
  switch (input) {
    case 's':
      return {ui: {...ui, sort: nextSort(ui.sort)}}
    case 'S':
      return {ui: {...ui, sort: reverseSort(ui.sort)}}
    case 'l':
      return row ? {ui: {...ui, selected: row.key}, command: {type: 'load', name: row.name}} : {ui}
    case 'u':
      return row ? {ui: {...ui, selected: row.key, mode: 'confirm', confirm: row.name}} : {ui}
    case 'r':
      return {ui, command: {type: 'refresh'}}
    case '/':
      return {ui: {...ui, mode: 'filter'}}
    case '?':
      return {ui: {...ui, mode: 'help'}}
    default:
      return {ui}
  }
}

function filtering(ui: UiState, input: string, key: Key): UiState {
  if (key.return) return {...ui, mode: 'normal'}
  if (key.escape) return {...ui, mode: 'normal', filter: ''}
  if (key.backspace || key.delete) return {...ui, filter: ui.filter.slice(0, -1)}
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow) return ui
  // Control characters (a pasted newline, an escape sequence) never become part of the filter.
  const printable = input.replace(/\p{Cc}/gu, '')
  return printable === '' ? ui : {...ui, filter: ui.filter + printable}
}

/** The detail view: Esc, Enter or ← closes it, ↑ ↓ / j k show the next model, q quits; other keys do nothing. */
function detail(ui: UiState, input: string, key: Key, visible: readonly ModelRow[]): {ui: UiState; command?: Command} {
  if (key.escape || key.return || key.leftArrow) return {ui: {...ui, mode: 'normal'}}
  if (key.upArrow || input === 'k') return {ui: move(ui, visible, -1)}
  if (key.downArrow || input === 'j') return {ui: move(ui, visible, 1)}
  if (input === 'r') return {ui, command: {type: 'refresh'}}
  return {ui}
}

/** The next UI state after one key, and the command it asks for. */
export function handleKey(ui: UiState, input: string, key: Key, visible: readonly ModelRow[]): {ui: UiState; command?: Command} {
  switch (ui.mode) {
    case 'filter':
      if (key.ctrl && input === 'c') return {ui, command: {type: 'quit'}}
      return {ui: filtering(ui, input, key)}
    case 'confirm': {
      const name = ui.confirm
      const back: UiState = {...ui, mode: 'normal', confirm: undefined}
      if ((input === 'y' || input === 'Y' || key.return) && name !== undefined) return {ui: back, command: {type: 'unload', name}}
      if (key.ctrl && input === 'c') return {ui: back, command: {type: 'quit'}}
      return {ui: back}
    }
    case 'help':
      if (isQuit(input, key)) return {ui, command: {type: 'quit'}}
      return {ui: {...ui, mode: 'normal'}}
    case 'detail':
      if (isQuit(input, key)) return {ui, command: {type: 'quit'}}
      return detail(ui, input, key, visible)
    default:
      if (isQuit(input, key)) return {ui, command: {type: 'quit'}}
      return normal(ui, input, key, visible)
  }
}
