/**
 * The dashboard in memory (ink-testing-library) over a scripted source: frames for loading then READY, an UNAVAILABLE
 * model and its reason, rates from two scrapes, degraded metrics, the help overlay, keys (select, load, unload with
 * confirmation, filter, quit), the log pane, and no render when a poll changes nothing.
 */
import {cleanup, render} from 'ink-testing-library'
import {createElement} from 'react'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {Dashboard, type DashboardProps} from '../../../../src/tui/components/Dashboard.js'
import {LogBuffer} from '../../../../src/tui/sources/log-buffer.js'
import {failed, ok, type SourceEvent} from '../../../../src/tui/sources/monitor-source.js'
import {item, metricsText, scriptedSource, type Step} from '../fixtures.js'

const DOWN = '\u001B[B'
const UP = '\u001B[A'
const ENTER = '\r'
/** Polls are driven by the r key: the timer alone would poll next in a minute. */
const NEVER = 60_000

const tick = () => new Promise((resolve) => setTimeout(resolve, 15))

function show(steps: readonly Step[], props: Partial<DashboardProps> = {}) {
  const source = scriptedSource(steps)
  const onQuit = vi.fn()
  const app = render(createElement(Dashboard, {source, intervalMs: NEVER, clock: () => Date.UTC(2026, 0, 1, 12), onQuit, ...props}))
  const frame = () => app.lastFrame() ?? ''
  const waitFor = (text: string | RegExp) => vi.waitFor(() => expect(frame()).toMatch(text))
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      app.stdin.write(key)
      await tick()
    }
  }
  /** Polls once more (the r key) and waits until the source has answered. */
  const poll = async () => {
    const before = source.polls
    await press('r')
    await vi.waitFor(() => expect(source.polls).toBe(before + 1))
    await tick()
  }
  /**
   * Runs `action`, then waits until the frame shows `text`, which it must not show before: what is awaited is the
   * change the action makes, never text already on screen.
   */
  const changes = async (action: () => Promise<unknown>, text: string | RegExp) => {
    expect(frame()).not.toMatch(text)
    await action()
    await waitFor(text)
  }
  /** Presses `keys` and waits for `text` to appear. */
  const pressUntil = (text: string | RegExp, ...keys: string[]) => changes(() => press(...keys), text)
  return {...app, source, onQuit, frame, waitFor, press, poll, changes, pressUntil}
}

/** The table line of a model (the text after the name, with the columns squeezed to single spaces). */
const lineOf = (frame: string, name: string) => frame.split('\n').find((line) => line.includes(` ${name} `))?.replace(/\s+/g, ' ').trim()

afterEach(() => cleanup())

const BOTH_LOADING = ok([item('mnist_sklearn', 'v1.0.0', 'LOADING'), item('mushroom_xgboost', 'v2.0.0', 'LOADING')])
const BOTH_READY = ok([item('mnist_sklearn', 'v1.0.0', 'READY'), item('mushroom_xgboost', 'v2.0.0', 'READY')])

describe('Dashboard', () => {
  it('shows models loading, then READY, with the change as an event', async () => {
    const ui = show([{index: BOTH_LOADING}, {index: BOTH_READY}])
    await ui.waitFor('mls 0.1.0')
    expect(ui.frame()).toContain('● live')
    expect(lineOf(ui.frame(), 'mnist_sklearn')).toMatch(/^› mnist_sklearn v1\.0\.0 LOADING/)
    expect(lineOf(ui.frame(), 'mushroom_xgboost')).toMatch(/^mushroom_xgboost v2\.0\.0 LOADING/)
    await ui.changes(ui.poll, /mushroom_xgboost\s+v2\.0\.0\s+READY/)
    expect(lineOf(ui.frame(), 'mnist_sklearn')).toMatch(/READY/)
    expect(ui.frame()).toContain('model "mnist_sklearn" version "v1.0.0": LOADING → READY')
    expect(ui.frame()).toContain('model "mushroom_xgboost" version "v2.0.0": LOADING → READY')
  })

  it('shows an UNAVAILABLE model with its reason', async () => {
    const reason = 'no model file found in /repo/models/later (looked for model.onnx)'
    const ui = show([{index: ok([item('later', undefined, 'UNAVAILABLE', reason), item('ok_model', 'v1', 'READY')])}])
    await ui.waitFor('UNAVAILABLE')
    expect(lineOf(ui.frame(), 'later')).toMatch(/^› later - UNAVAILABLE .* no model file/)
    // The selected model's line under the table carries the whole reason.
    expect(ui.frame()).toContain(`model "later"  UNAVAILABLE  ${reason}`)
  })

  it('computes rates, error rate, p50 / p99 and in-flight from two metric scrapes', async () => {
    const index = ok([item('digits', 'v1', 'READY'), item('idle', 'v1', 'READY')])
    const ui = show([
      {time: 0, index, metrics: ok(metricsText({'digits:v1': {success: 10, failure: 0, buckets: [[0.001, 10], [0.005, 10], [0.01, 10]]}, 'idle:v1': {success: 0}}))},
      {time: 2000, index, metrics: ok(metricsText({'digits:v1': {success: 110, failure: 10, buckets: [[0.001, 60], [0.005, 110], [0.01, 120]], queue: 4}, 'idle:v1': {success: 0}}, 3))},
    ])
    await ui.waitFor(/› digits/)
    expect(ui.frame()).toContain('req/s waiting for a second scrape…')
    expect(lineOf(ui.frame(), 'digits')).toBe('› digits v1 READY - - - - -/-')
    await ui.changes(ui.poll, 'rates over 2s')
    // In flight is a total (REST counts by route); queued is per model where the server has queue gauges.
    expect(lineOf(ui.frame(), 'digits')).toBe('› digits v1 READY 55.0 9.1% 1.40ms 9.45ms -/4')
    expect(lineOf(ui.frame(), 'idle')).toBe('idle v1 READY 0.0 - - - -/0')
    expect(lineOf(ui.frame(), 'all')).toBe('all models 55.0 9.1% 1.40ms 9.45ms 3/4')
    expect(ui.frame()).toMatch(/req\/s ▁+█ {2}now 55\.0 {2}max 55\.0/)
    expect(ui.frame()).toContain('model "digits" version "v1": 10 failed requests')
  })

  it('degrades where metrics are missing: "-" and the reason, models still listed', async () => {
    const ui = show([{index: BOTH_READY, metrics: failed('HTTP 404')}])
    await ui.waitFor('metrics unavailable')
    expect(ui.frame()).toContain('http://127.0.0.1:9082/metrics unavailable (HTTP 404)')
    expect(ui.frame()).toContain('req/s unknown: metrics unavailable (HTTP 404)')
    expect(lineOf(ui.frame(), 'mushroom_xgboost')).toBe('mushroom_xgboost v2.0.0 READY - - - - -/-')
  })

  it('says when the server cannot be reached', async () => {
    const down = {ready: failed<boolean>('ECONNREFUSED'), index: failed<never>('ECONNREFUSED'), metrics: failed<string>('ECONNREFUSED'), metadataProbe: failed<never>('ECONNREFUSED')}
    const ui = show([down])
    await ui.waitFor('● unreachable (ECONNREFUSED)')
    expect(ui.frame()).toContain('cannot reach http://127.0.0.1:9080: ECONNREFUSED')
  })

  it('shows the help overlay on ? and closes it on the next key', async () => {
    const ui = show([{index: BOTH_READY}])
    await ui.waitFor('READY')
    await ui.pressUntil('Keys', '?')
    expect(ui.frame()).toContain('unload the selected model (confirm with y / Enter)')
    await ui.pressUntil('mushroom_xgboost', 'x')
    expect(ui.frame()).not.toContain('Keys')
  })

  it('selects with j / arrows, loads with l, unloads after confirmation, and quits on q', async () => {
    const ui = show([{index: BOTH_READY}])
    await ui.waitFor('READY')
    expect(ui.frame()).toMatch(/› mnist_sklearn/)
    // Each key moves the selection: the wait is for the line it moves to.
    await ui.pressUntil(/› mushroom_xgboost/, 'j')
    await ui.pressUntil(/› mnist_sklearn/, 'k')
    await ui.pressUntil(/› mushroom_xgboost/, DOWN)
    await ui.pressUntil(/› mnist_sklearn/, UP)
    await ui.pressUntil(/› mushroom_xgboost/, 'j')
    await ui.pressUntil('load mushroom_xgboost: done', 'l')
    expect(ui.source.loaded).toEqual(['mushroom_xgboost'])

    await ui.pressUntil('Unload mushroom_xgboost (every version)? y / Enter: unload', 'u')
    expect(ui.frame()).not.toContain('q quit')
    await ui.pressUntil('q quit', 'n')
    expect(ui.frame()).not.toContain('Unload mushroom_xgboost')
    expect(ui.source.unloaded).toEqual([])

    await ui.pressUntil('unload mushroom_xgboost: done', 'u', 'y')
    expect(ui.source.unloaded).toEqual(['mushroom_xgboost'])

    await ui.press('q')
    expect(ui.onQuit).toHaveBeenCalledOnce()
  })

  it('filters the models by what is typed after /', async () => {
    const ui = show([{index: BOTH_READY}])
    await ui.waitFor('READY')
    await ui.pressUntil('/ mus', '/', 'm', 'u', 's')
    expect(ui.frame()).not.toContain('mnist_sklearn')
    await ui.pressUntil('filter "mus" (1 hidden)', ENTER)
    expect(lineOf(ui.frame(), 'mushroom_xgboost')).toMatch(/^› /)
  })

  it('shows the server log in a pane, and a notice in place of the keys', async () => {
    const log = new LogBuffer()
    log.write('2026-01-01T12:00:00.000Z [mls] INFO  REST server listening on http://127.0.0.1:9080')
    const ui = show([{index: BOTH_READY}], {log, title: 'mls start', notice: 'stopping the server…'})
    await ui.waitFor('mls start  mls 0.1.0')
    expect(ui.frame()).toContain('SERVER LOG')
    expect(ui.frame()).toContain('REST server listening on http://127.0.0.1:9080')
    await ui.changes(async () => log.write('2026-01-01T12:00:01.000Z [mls] WARN  something to see'), 'something to see')
    expect(ui.frame()).toContain('stopping the server…')
    expect(ui.frame()).not.toContain('q quit')
  })

  it('does not render again when a poll changes nothing', async () => {
    const step = {index: BOTH_READY, metrics: ok(metricsText({'mnist_sklearn:v1.0.0': {success: 4}}))}
    const ui = show([step], {windowMs: 3000})
    // The span grows with each poll up to the window; past it, identical answers leave the frame as it is.
    for (let i = 0; i < 4; i++) await ui.poll()
    await ui.waitFor('rates over 3s')
    const frames = ui.frames.length
    await ui.poll()
    await ui.poll()
    expect(ui.frames.length).toBe(frames)
  })

  it('lists the events a source tells of as they happen (the --watch watcher), and stops listening on unmount', async () => {
    const listeners = new Set<(event: SourceEvent) => void>()
    const source = {
      ...scriptedSource([{index: BOTH_READY}]),
      subscribe(listener: (event: SourceEvent) => void) {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
    }
    const ui = show([], {source})
    await ui.waitFor(/mnist_sklearn\s+v1\.0\.0\s+READY/)
    expect(listeners.size).toBe(1)
    const tell = (event: SourceEvent) => async () => listeners.forEach((listener) => listener(event))
    await ui.changes(
      tell({level: 'info', text: 'watch: reloading mnist_sklearn v1.0.0 (models/mnist_sklearn/model.onnx changed)'}),
      '12:00:00 watch: reloading mnist_sklearn v1.0.0 (models/mnist_sklearn/model.onnx changed)',
    )
    await ui.changes(
      tell({level: 'error', text: 'watch: mnist_sklearn v1.0.0: reload failed, the previous version keeps serving: bad file'}),
      'watch: mnist_sklearn v1.0.0: reload failed, the previous version keeps serving: bad file',
    )
    ui.unmount()
    expect(listeners.size).toBe(0)
  })
})
