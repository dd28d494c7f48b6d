/**
 * "Why" in the dashboard's state: failures by error code per model and in total (counts, recent change, when last seen
 * growing), unknown-model requests, --json and the plain report with them, the sort order and its keys, the detail
 * view's keys, and a help overlay that fits 80x24.
 */
import type {Key} from 'ink'
import {describe, expect, it} from 'vitest'
import {ok} from '../../../../src/tui/sources/monitor-source.js'
import {advance, initialMemory, type DashboardMemory, type ModelRow} from '../../../../src/tui/state/dashboard-state.js'
import {helpContent} from '../../../../src/tui/state/help-text.js'
import {handleKey, INITIAL_UI, selectedRow, shownRows, type UiState} from '../../../../src/tui/state/keys.js'
import {toMonitorJson} from '../../../../src/tui/state/monitor-json.js'
import {plainReport} from '../../../../src/tui/state/plain-report.js'
import {DEFAULT_SORT, sortRows, sortText} from '../../../../src/tui/state/sort.js'
import {item, metricsText, snapshotOf, type Step} from '../fixtures.js'

const TARGET = {url: 'http://127.0.0.1:9080', metricsUrl: 'http://127.0.0.1:9082/metrics'}
const T0 = 1_700_000_000_000
const run = (steps: readonly Step[]): DashboardMemory =>
  steps.reduce((memory, step, i) => advance(memory, snapshotOf(step, i * 1000), T0 + i * 1000), initialMemory(TARGET, 5000))
const index = ok([item('a', 'v1', 'READY'), item('b', 'v1', 'READY')])

describe('failures by error code', () => {
  const memory = run([
    {index, metrics: ok(metricsText({'a:v1': {success: 1, errors: {INVALID_SHAPE: 2}}, 'b:v1': {success: 1}}, 0, 1))},
    {index, metrics: ok(metricsText({'a:v1': {success: 1, errors: {INVALID_SHAPE: 5, MODEL_UNAVAILABLE: 1}}, 'b:v1': {success: 1, errors: {INVALID_SHAPE: 1}}}, 0, 4))},
  ])
  const {view} = memory

  it('counts each model version\'s codes since the server started, most frequent first, with the change over the window', () => {
    expect(view.models[0].errors).toEqual([
      {code: 'INVALID_SHAPE', total: 5, recent: 3, lastSeen: T0 + 1000},
      {code: 'MODEL_UNAVAILABLE', total: 1, recent: 1, lastSeen: T0 + 1000},
    ])
    expect(view.models[1].errors).toEqual([{code: 'INVALID_SHAPE', total: 1, recent: 1, lastSeen: T0 + 1000}])
  })

  it('adds them up over all models, and counts the requests to unknown models', () => {
    expect(view.errors?.map((c) => [c.code, c.total, c.recent])).toEqual([['INVALID_SHAPE', 6, 4], ['MODEL_UNAVAILABLE', 1, 1]])
    expect(view.unknownModels).toEqual({total: 4, recent: 3})
  })

  it('keeps when a code last grew, and has no time for counts that grew before the dashboard watched', () => {
    const first = run([{index, metrics: ok(metricsText({'a:v1': {errors: {INVALID_SHAPE: 2}}}))}])
    expect(first.view.models[0].errors).toEqual([{code: 'INVALID_SHAPE', total: 2, recent: 0}])
    const later = advance(memory, snapshotOf({index, metrics: ok(metricsText({'a:v1': {success: 1, errors: {INVALID_SHAPE: 5, MODEL_UNAVAILABLE: 1}}}, 0, 4))}, 2000), T0 + 2000)
    expect(later.view.models[0].errors?.[0]).toMatchObject({code: 'INVALID_SHAPE', total: 5, lastSeen: T0 + 1000})
  })

  it('is unknown where the server does not count failures by code', () => {
    const other = run([{index, metrics: ok(metricsText({'a:v1': {success: 1}}))}])
    expect(other.view.models[0].errors).toBeUndefined()
    expect(other.view.errors).toBeUndefined()
    expect(other.view.unknownModels).toBeUndefined()
    expect(toMonitorJson(other.view)).toMatchObject({unknown_model_requests: null, total: {errors_by_code: null}})
  })

  it('goes into --json (snake_case keys, codes as they are) and the plain report', () => {
    const json = toMonitorJson(view)
    expect(json.models[0].errors_by_code).toEqual({INVALID_SHAPE: 5, MODEL_UNAVAILABLE: 1})
    expect(json.total.errors_by_code).toEqual({INVALID_SHAPE: 6, MODEL_UNAVAILABLE: 1})
    expect(json.unknown_model_requests).toBe(4)
    const report = plainReport(view)
    expect(report).toContain('errors since the server started: INVALID_SHAPE 6, MODEL_UNAVAILABLE 1; unknown models: 4 requests')
    expect(report).toContain('model "a" version "v1": INVALID_SHAPE 5, MODEL_UNAVAILABLE 1')
  })
})

const NO_KEY = {upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false} as Key
const row = (name: string, rps?: number, p99?: number, errorRate?: number, failures = 0): ModelRow => ({
  key: `${name}\u0000v1`,
  name,
  version: 'v1',
  state: 'READY',
  reason: '',
  rates: {rps, p99, errorRate},
  errors: failures > 0 ? [{code: 'INVALID_SHAPE', total: failures, recent: 0}] : [],
})
const ROWS = [row('beta', 5, 0.002, 0), row('alpha', 1, 0.009, 0.5, 3), row('gamma', undefined, undefined, undefined), row('delta', 9, 0.001, 0.5, 7)]
const names = (rows: readonly ModelRow[]) => rows.map((r) => r.name)

function press(ui: UiState, ...keys: Array<string | Partial<Key>>): UiState {
  for (const k of keys) ui = handleKey(ui, typeof k === 'string' ? k : '', {...NO_KEY, ...(typeof k === 'string' ? {} : k)}, shownRows(ROWS, ui)).ui
  return ui
}

describe('sorting', () => {
  it('sorts by name, rate, p99 and errors (highest first, unknown last, ties by errors since start then name)', () => {
    expect(names(sortRows(ROWS, DEFAULT_SORT))).toEqual(['alpha', 'beta', 'delta', 'gamma'])
    expect(names(sortRows(ROWS, {key: 'rate', descending: true}))).toEqual(['delta', 'beta', 'alpha', 'gamma'])
    expect(names(sortRows(ROWS, {key: 'p99', descending: true}))).toEqual(['alpha', 'beta', 'delta', 'gamma'])
    expect(names(sortRows(ROWS, {key: 'errors', descending: true}))).toEqual(['delta', 'alpha', 'beta', 'gamma'])
    expect(names(sortRows(ROWS, {key: 'rate', descending: false}))).toEqual(['alpha', 'beta', 'delta', 'gamma'])
  })

  it('cycles the key on s, reverses on S, and the table and the selection follow', () => {
    expect(sortText(INITIAL_UI.sort)).toBe('name ↑')
    const keys = [press(INITIAL_UI, 's'), press(INITIAL_UI, 's', 's'), press(INITIAL_UI, 's', 's', 's'), press(INITIAL_UI, 's', 's', 's', 's')]
    expect(keys.map((ui) => sortText(ui.sort))).toEqual(['rate ↓', 'p99 ↓', 'errors ↓', 'name ↑'])
    const reversed = press(INITIAL_UI, 's', 'S')
    expect(sortText(reversed.sort)).toBe('rate ↑')
    expect(names(shownRows(ROWS, reversed))).toEqual(['alpha', 'beta', 'delta', 'gamma'])
    // j moves down the sorted table: by rate, the second row is beta.
    expect(selectedRow(press(INITIAL_UI, 's', 'j'), shownRows(ROWS, press(INITIAL_UI, 's', 'j')))?.name).toBe('beta')
  })
})

describe('the detail view', () => {
  it('opens on Enter for the selected model, moves with j / k, and closes on Esc, Enter or ←', () => {
    const open = press(INITIAL_UI, 'j', {return: true})
    expect(open).toMatchObject({mode: 'detail', selected: 'beta\u0000v1'})
    expect(press(open, 'j').selected).toBe('delta\u0000v1')
    expect(press(open, 'l')).toEqual(open)
    for (const close of [{escape: true}, {return: true}, {leftArrow: true}]) expect(press(open, close).mode).toBe('normal')
    expect(handleKey(open, 'q', NO_KEY, ROWS).command).toEqual({type: 'quit'})
  })

  it('does not open without a model', () => {
    expect(handleKey(INITIAL_UI, '', {...NO_KEY, return: true}, []).ui.mode).toBe('normal')
  })
})

describe('the help overlay', () => {
  it('fits 80x24 (79 columns, 19 body rows): every key, whole lines, a box sized to them', () => {
    const help = helpContent(79, 19, 'stop the server (in-flight requests finish) and quit')
    expect(help.height).toBeLessThanOrEqual(19)
    expect(help.height).toBe(help.lines.length + 2)
    expect(help.width).toBeLessThanOrEqual(79)
    const texts = help.lines.map((line) => (line.kind === 'key' ? `${line.key.padEnd(11)}${line.text}` : line.text))
    for (const text of texts) expect(text.length, text).toBeLessThanOrEqual(help.width - 4)
    expect(texts.join('\n')).not.toContain('…')
    for (const key of ['Enter', 's  S', 'q  Ctrl+C']) expect(help.lines.some((line) => line.kind === 'key' && line.key === key)).toBe(true)
    expect(texts.at(-1)).toBe('Press any key to close.')
  })

  it('drops notes before keys when the terminal is low, and shows every note when it is tall', () => {
    expect(helpContent(79, 15, 'quit').lines.filter((line) => line.kind === 'note')).toEqual([])
    expect(helpContent(79, 15, 'quit').lines.filter((line) => line.kind === 'key')).toHaveLength(10)
    expect(helpContent(120, 40, 'quit').lines.filter((line) => line.kind === 'note').map((l) => l.text).join(' ')).toContain('memory budget')
  })
})
