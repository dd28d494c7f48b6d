/** Key handling as a pure function: selection, load, unload with confirmation, filter, help, quit. */
import type {Key} from 'ink'
import {describe, expect, it} from 'vitest'
import type {ModelRow} from '../../../../src/tui/state/dashboard-state.js'
import {handleKey, INITIAL_UI, selectedRow, visibleRows, type UiState} from '../../../../src/tui/state/keys.js'

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
} as Key
const key = (overrides: Partial<Key> = {}): Key => ({...NO_KEY, ...overrides})
const row = (name: string, version = 'v1'): ModelRow => ({key: `${name}\u0000${version}`, name, version, state: 'READY', reason: ''})
const ROWS = [row('alpha'), row('beta'), row('gamma')]

/** Presses keys in turn (a string is typed as characters; an object is one special key). */
function press(ui: UiState, ...keys: Array<string | Partial<Key>>) {
  const commands = []
  for (const k of keys) {
    const result = typeof k === 'string' ? handleKey(ui, k, key(), visibleRows(ROWS, ui.filter)) : handleKey(ui, '', key(k), visibleRows(ROWS, ui.filter))
    ui = result.ui
    if (result.command) commands.push(result.command)
  }
  return {ui, commands, selected: selectedRow(ui, visibleRows(ROWS, ui.filter))?.name}
}

describe('handleKey', () => {
  it('moves the selection with arrows and j / k, within the list', () => {
    expect(press(INITIAL_UI).selected).toBe('alpha')
    expect(press(INITIAL_UI, 'j', {downArrow: true}).selected).toBe('gamma')
    expect(press(INITIAL_UI, 'j', 'j', 'j', 'j').selected).toBe('gamma')
    expect(press(INITIAL_UI, 'j', 'j', 'k', {upArrow: true}, 'k').selected).toBe('alpha')
  })

  it('loads the selected model at once, and unloads it only after y or Enter', () => {
    expect(press(INITIAL_UI, 'j', 'l').commands).toEqual([{type: 'load', name: 'beta'}])
    const asking = press(INITIAL_UI, 'j', 'u')
    expect(asking.ui).toMatchObject({mode: 'confirm', confirm: 'beta'})
    expect(asking.commands).toEqual([])
    expect(press(asking.ui, 'y').commands).toEqual([{type: 'unload', name: 'beta'}])
    expect(press(asking.ui, {return: true}).commands).toEqual([{type: 'unload', name: 'beta'}])
    const cancelled = press(asking.ui, 'n')
    expect(cancelled.commands).toEqual([])
    expect(cancelled.ui.mode).toBe('normal')
    expect(press(asking.ui, {escape: true}).commands).toEqual([])
  })

  it('filters by typed text; Enter keeps the filter, Esc clears it', () => {
    const typed = press(INITIAL_UI, '/', 'g', 'a', 'm', 'x', {backspace: true})
    expect(typed.ui).toMatchObject({mode: 'filter', filter: 'gam'})
    expect(visibleRows(ROWS, typed.ui.filter).map((r) => r.name)).toEqual(['gamma'])
    // Keys typed into the filter are text, not commands.
    expect(press(INITIAL_UI, '/', 'q', 'l', 'u').commands).toEqual([])
    const kept = press(typed.ui, {return: true}, 'u')
    expect(kept.ui).toMatchObject({mode: 'confirm', confirm: 'gamma', filter: 'gam'})
    expect(press(typed.ui, {escape: true}).ui).toMatchObject({mode: 'normal', filter: ''})
    expect(press(typed.ui, {return: true}, {escape: true}).ui.filter).toBe('')
  })

  it('shows help on ?, closes it on the next key, and quits on q or Ctrl+C', () => {
    const help = press(INITIAL_UI, '?')
    expect(help.ui.mode).toBe('help')
    expect(press(help.ui, 'x').ui.mode).toBe('normal')
    expect(press(help.ui, 'q').commands).toEqual([{type: 'quit'}])
    expect(press(INITIAL_UI, 'q').commands).toEqual([{type: 'quit'}])
    expect(handleKey(INITIAL_UI, 'c', key({ctrl: true}), ROWS).command).toEqual({type: 'quit'})
    expect(press(INITIAL_UI, 'r').commands).toEqual([{type: 'refresh'}])
  })

  it('does nothing to models when there are none', () => {
    const empty = handleKey(INITIAL_UI, 'u', key(), [])
    expect(empty).toEqual({ui: INITIAL_UI})
    expect(handleKey(INITIAL_UI, 'j', key(), []).ui).toBe(INITIAL_UI)
  })
})
