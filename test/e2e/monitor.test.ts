/**
 * `mls monitor` and `mls start --tui` in a real terminal (tmux: new-session -d, send-keys, capture-pane) against the
 * example: both models READY, a request rate that turns non-zero under traffic, u + y unloads the selected model
 * (UNAVAILABLE on screen), q exits 0; with --watch the watcher's events are listed. Without a terminal, `mls monitor` prints one snapshot (or --json) and exits 0.
 */
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson} from './helpers/http.js'
import {BIN, runMls, startMls, type MlsProcess} from './helpers/mls-process.js'
import {hasTmux, terminals} from './helpers/terminal.js'

const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

const terminal = terminals()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A model's line in the table, e.g. /mushroom_xgboost +v2.0.0 +READY/ . */
const row = (name: string, version: string, state: string) => new RegExp(`${name}\\s+${version.replaceAll('.', '\\.')}\\s+${state}\\b`)
/** The REQ/S cell of a READY model's line in the table (NaN when there is no such line). */
function requestRate(screen: string, name: string, version: string): number {
  const line = screen.split('\n').find((l) => row(name, version, 'READY').test(l)) ?? ''
  return Number(/\sREADY\s+(\S+)/.exec(line)?.[1] ?? Number.NaN)
}

/** Sends `count` inferences to the mushroom model, one after the other. */
async function traffic(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await postJson(`${url}/v2/models/mushroom_xgboost/infer`, rowRequest(mushroom, i))).status).toBe(200)
}

/** Sends `count` mnist requests of the wrong shape (400 INVALID_SHAPE) and `unknown` to a model that does not exist (404). */
async function badTraffic(url: string, count: number, unknown: number): Promise<void> {
  const bad = rowRequest(mnist, 0)
  bad.inputs[0].shape = [1, 32]
  for (let i = 0; i < count; i++) expect((await postJson(`${url}/v2/models/mnist_sklearn/infer`, bad)).status).toBe(400)
  for (let i = 0; i < unknown; i++) expect((await postJson(`${url}/v2/models/no_such_model/infer`, rowRequest(mnist, 0))).status).toBe(404)
}

/** Rates, select, unload with confirmation, then q: the part both commands share. */
async function drive(term: ReturnType<typeof terminal>, url: string): Promise<void> {
  await term.waitFor(row('mnist_sklearn', 'v1.0.0', 'READY'))
  await term.waitFor(row('mushroom_xgboost', 'v2.0.0', 'READY'))
  // Rates show from the second poll on.
  await term.waitFor(/rates over/)
  expect(requestRate(term.screen(), 'mushroom_xgboost', 'v2.0.0')).toBe(0)
  await traffic(url, 25)
  for (let i = 0; i < 30 && !(requestRate(term.screen(), 'mushroom_xgboost', 'v2.0.0') > 0); i++) await sleep(100)
  expect(requestRate(term.screen(), 'mushroom_xgboost', 'v2.0.0'), term.screen()).toBeGreaterThan(0)

  term.keys('j')
  await term.waitFor(/› mushroom_xgboost/)
  term.keys('u')
  await term.waitFor('Unload mushroom_xgboost (every version)?')
  term.keys('y')
  await term.waitFor(row('mushroom_xgboost', 'v2.0.0', 'UNAVAILABLE'))
  await term.waitFor('READY → UNAVAILABLE (unloaded)')
  expect(term.screen()).toMatch(row('mnist_sklearn', 'v1.0.0', 'READY'))
  term.keys('q')
  await term.waitFor('EXIT=0')
}

describe('mls monitor without a terminal', () => {
  let server: MlsProcess
  beforeAll(async () => {
    server = await startMls(EXAMPLE)
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('prints one plain snapshot and exits 0', async () => {
    const result = await runMls(['monitor', '--url', server.url, '--metrics-url', server.metricsUrl!, '--interval', '200'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`mls 0.1.0 at ${server.url}: live, ready`)
    expect(result.stdout).toMatch(/NAME +VERSION +STATE +REQ\/S +ERR% +P50 +P99 +INFL\/Q +REASON/)
    expect(result.stdout).toMatch(row('mnist_sklearn', 'v1.0.0', 'READY'))
    expect(result.stdout).toMatch(row('mushroom_xgboost', 'v2.0.0', 'READY'))
    expect(result.stderr).toBe('')
  })

  it('prints the snapshot as JSON with --json', async () => {
    const result = await runMls(['monitor', '--url', server.url, '--metrics-url', server.metricsUrl!, '--interval', '200', '--json'])
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json).toMatchObject({url: server.url, server: {name: 'mls', version: '0.1.0'}, reachable: true, ready: true, metrics_error: null})
    expect(json.models.map((m: {name: string; state: string}) => [m.name, m.state])).toEqual([['mnist_sklearn', 'READY'], ['mushroom_xgboost', 'READY']])
    expect(json.models[0]).toHaveProperty('requests_per_second', 0)
    expect(json.total).toHaveProperty('in_flight', 0)
    expect(json.total).toHaveProperty('queue')
  })

  it('includes the failures by code and the unknown-model requests in the snapshot and in --json', async () => {
    await badTraffic(server.url, 2, 1)
    const plain = await runMls(['monitor', '--url', server.url, '--metrics-url', server.metricsUrl!, '--interval', '200'])
    expect(plain.stdout).toMatch(/errors since the server started: INVALID_SHAPE \d+; unknown models: \d+ requests?/)
    expect(plain.stdout).toMatch(/model "mnist_sklearn" version "v1\.0\.0": INVALID_SHAPE \d+/)
    const json = JSON.parse((await runMls(['monitor', '--url', server.url, '--metrics-url', server.metricsUrl!, '--interval', '200', '--json'])).stdout)
    const mnistRow = json.models.find((m: {name: string}) => m.name === 'mnist_sklearn')
    expect(mnistRow.errors_by_code.INVALID_SHAPE).toBeGreaterThanOrEqual(2)
    expect(json.models.find((m: {name: string}) => m.name === 'mushroom_xgboost').errors_by_code).toEqual({})
    expect(json.total.errors_by_code).toEqual(mnistRow.errors_by_code)
    expect(json.unknown_model_requests).toBeGreaterThanOrEqual(1)
  })

  it('degrades without metrics, and exits 1 with one line when nothing answers', async () => {
    const noMetrics = await runMls(['monitor', '--url', server.url, '--metrics-url', `${server.url}/no-metrics-here`, '--interval', '100'])
    expect(noMetrics.code).toBe(0)
    expect(noMetrics.stdout).toMatch(/metrics .*: unavailable \(HTTP 404\)/)
    expect(noMetrics.stdout).toMatch(/mushroom_xgboost +v2\.0\.0 +READY +- +- +- +-/)

    const down = await runMls(['monitor', '--url', 'http://127.0.0.1:1', '--metrics-url', 'http://127.0.0.1:1/metrics'])
    expect(down.code).toBe(1)
    expect(down.stderr.trim()).toMatch(/^Error: cannot reach an mls server at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/)
    expect(down.stderr).not.toMatch(/\n\s+at /)
  })
})

describe.skipIf(!hasTmux())('mls monitor in a terminal (tmux)', () => {
  let server: MlsProcess
  beforeAll(async () => {
    server = await startMls(EXAMPLE)
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('shows both models READY, a non-zero rate under traffic, unloads on u + y, and exits 0 on q', async () => {
    const term = terminal('monitor', `${process.execPath} ${BIN} monitor --url ${server.url} --metrics-url ${server.metricsUrl}`)
    await term.waitFor(`REST ${server.url}`)
    await term.waitFor('● live  ready')
    await drive(term, server.url)
    // The server itself saw the unload.
    expect((await postJson(`${server.url}/v2/repository/index`, {})).body).toContainEqual({name: 'mushroom_xgboost', version: 'v2.0.0', state: 'UNAVAILABLE', reason: 'unloaded'})
  })

  it('says why requests fail at 80x24: codes with counts, unknown models, the sort, the detail view and a help that fits', async () => {
    const term = terminal('monitor-why', `${process.execPath} ${BIN} monitor --url ${server.url} --metrics-url ${server.metricsUrl} --interval 300`, {columns: 80, rows: 24})
    // mushroom_xgboost is UNAVAILABLE after the test before (READY when this test runs alone).
    await term.waitFor(row('mnist_sklearn', 'v1.0.0', 'READY'))
    await term.waitFor(/rates over/)
    const before = term.screen()
    expect(before).toMatch(/^errors +none {2}· {2}unknown models: 0 requests/m)
    expect(before).toContain('sort name ↑')
    await badTraffic(server.url, 3, 2)
    // All models, then the selected one (mnist_sklearn, first by name).
    await term.waitFor(/^errors INVALID_SHAPE 3 \(\+3\) {2}· {2}unknown models: 2 requests \(\+2\)/m)
    await term.waitFor('model "mnist_sklearn" version "v1.0.0"  READY  errors: INVALID_SHAPE 3')

    // The detail view of the selected model, then back.
    term.keys('Enter')
    const detail = await term.waitFor('ERRORS BY CODE')
    expect(detail).toContain('Esc / Enter: back')
    expect(detail).toMatch(/model "mnist_sklearn" version "v1\.0\.0" +READY/)
    expect(detail).toMatch(/^ {2}INVALID_SHAPE +3 +\+3 {2}\d\d:\d\d:\d\d$/m)
    expect(detail).toMatch(/^req\/s +[▁▂▃▄▅▆▇█]+ {2}now/m)
    expect(detail).toMatch(/^p99 +[▁▂▃▄▅▆▇█]+ {2}now/m)
    expect(detail).toMatch(/RECENT FAILURES\n {2}\d\d:\d\d:\d\d model "mnist_sklearn" version "v1\.0\.0": 3 failed requests/)
    expect(detail).not.toMatch(/NAME +VERSION/)
    term.keys('Escape')
    await term.waitFor(/NAME +VERSION/)

    // s cycles the key, S reverses it: by name descending, mushroom_xgboost comes first.
    term.keys('s')
    await term.waitFor('sort rate ↓')
    // One key at a time: keys sent together reach the dashboard as one string.
    for (const [key, order] of [['s', 'p99 ↓'], ['s', 'errors ↓'], ['s', 'name ↑'], ['S', 'name ↓']]) {
      term.keys(key)
      await term.waitFor(`sort ${order}`)
    }
    // The selection stays on mnist_sklearn (chosen for the detail view), now below mushroom_xgboost.
    await term.waitFor(/^ {2}mushroom_xgboost +v2\.0\.0 .*\n› mnist_sklearn +v1\.0\.0 +READY/m)

    // The help fits: a whole box (top and bottom borders), every key, nothing cut.
    term.keys('?')
    const help = await term.waitFor('Press any key to close.')
    const box = help.split('\n').filter((l) => /^[╭│╰]/.test(l))
    expect(box[0]).toMatch(/^╭─+╮$/)
    expect(box.at(-1)).toMatch(/^╰─+╯$/)
    for (const line of box) expect(line.length, line).toBe(box[0].length)
    for (const line of box.slice(1, -1)) expect(line).toMatch(/^│ .* │$/)
    expect(help).not.toContain('…')
    for (const key of ['Enter', 's  S', 'q  Ctrl+C', '?']) expect(help).toContain(`│ ${key.padEnd(11)}`)
    term.keys('x')
    await term.waitFor(/NAME +VERSION/)
    term.keys('q')
    await term.waitFor('EXIT=0')
  })

  it('prints a snapshot, never a crash, when stdin is not a terminal (no raw mode for keys)', async () => {
    const term = terminal('monitor-no-stdin', `${process.execPath} ${BIN} monitor --url ${server.url} --metrics-url ${server.metricsUrl} --interval 200 < /dev/null`)
    const screen = await term.waitFor('EXIT=0')
    expect(screen).toContain(`mls 0.1.0 at ${server.url}: live, ready`)
    expect(screen).toMatch(row('mnist_sklearn', 'v1.0.0', 'READY'))
    expect(screen).not.toMatch(/Raw mode|Error/)
  })
})

describe.skipIf(!hasTmux())('mls start --tui (tmux)', () => {
  const start = `${process.execPath} ${BIN} start ${EXAMPLE} --tui --host 127.0.0.1 --http-port 0 --grpc-port 0 --metrics-port 0`

  it('serves, shows the dashboard with its REST URL and the log, unloads on u + y, and stops gracefully on q', async () => {
    const term = terminal('start-tui', start)
    const url = /REST (http:\/\/127\.0\.0\.1:\d+)/.exec(await term.waitFor(/REST http:\/\/127\.0\.0\.1:\d+/))![1]
    await term.waitFor('SERVER LOG')
    await term.waitFor('start-up loading finished: 2 of 2 model version(s) ready')
    await drive(term, url)
    // The log went to the pane, and after q its last lines stay on the normal screen.
    const after = term.screen()
    expect(after).toContain('q: shutting down (in-flight requests finish first)')
    expect(after).toContain('[mls] INFO  stopped')
    await expect(postJson(`${url}/v2/repository/index`, {})).rejects.toThrow()
  })

  it('stops gracefully on SIGTERM too', async () => {
    const term = terminal('start-tui-sigterm', start)
    await term.waitFor(row('mushroom_xgboost', 'v2.0.0', 'READY'))
    process.kill(term.pid(), 'SIGTERM')
    await term.waitFor('EXIT=0')
    expect(term.screen()).toContain('SIGTERM: shutting down (in-flight requests finish first)')
  })

  it('with --watch, what the watcher does appears in the event list', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mls-tui-watch-'))
    try {
      cpSync(path.join(EXAMPLE, 'models'), path.join(dir, 'models'), {recursive: true})
      const term = terminal('start-tui-watch', `${start.replace(EXAMPLE, dir)} --watch`)
      await term.waitFor(row('mushroom_xgboost', 'v2.0.0', 'READY'))
      writeFileSync(path.join(dir, 'models/mushroom_xgboost/model.json'), readFileSync(path.join(MUSHROOM_DIR, 'model.json')))
      // Event lines (the log pane says "model mushroom_xgboost:v2.0.0 reloaded" instead).
      await term.waitFor(/\d\d:\d\d:\d\d watch: reloading model "mushroom_xgboost" version "v2\.0\.0" \(models\/mushroom_xgboost\/model\.json changed\)/)
      await term.waitFor(/\d\d:\d\d:\d\d watch: model "mushroom_xgboost" version "v2\.0\.0" reloaded/)
      term.keys('q')
      await term.waitFor('EXIT=0')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
