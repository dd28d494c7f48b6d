/**
 * `mls monitor` and `mls start --tui` in a real terminal (tmux: new-session -d, send-keys, capture-pane) against the
 * example: both models READY, a request rate that turns non-zero under traffic, u + y unloads the selected model
 * (UNAVAILABLE on screen), q exits 0; with --watch the watcher's events are listed. Without a terminal, `mls monitor` prints one snapshot (or --json) and exits 0.
 */
import {execFileSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MUSHROOM_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson} from './helpers/http.js'
import {BIN, REPO_ROOT, runMls, startMls, type MlsProcess} from './helpers/mls-process.js'
import {tempFolders} from '../temp-folders.js'

const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/**
 * A tmux server of this file's own (-S, its socket in a temporary folder removed after the tests; tmux never removes
 * it): its sessions start with this process's environment (the run's TMPDIR and ORT_DISABLE_TELEMETRY), not that of
 * whichever process started the machine's shared default server.
 */
const SOCKET = path.join(tempFolders()('mls-tmux-'), 'socket')
const tmux = (...args: string[]) => execFileSync('tmux', ['-S', SOCKET, ...args], {encoding: 'utf8'})
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A tmux session of its own per test, running `command` (then printing its exit code), killed in afterAll. */
const sessions: string[] = []
function terminal(name: string, command: string) {
  const session = `mls-${name}-${process.pid}-${sessions.length}`
  sessions.push(session)
  tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '40', '-c', REPO_ROOT, `${command}; echo "EXIT=$?"; sleep 60`)
  const screen = () => tmux('capture-pane', '-p', '-t', session)
  return {
    screen,
    keys: (...keys: string[]) => tmux('send-keys', '-t', session, ...keys),
    /** Waits (up to `ms`) until the screen matches. */
    async waitFor(pattern: string | RegExp, ms = 15_000): Promise<string> {
      const matches = (text: string) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text))
      for (const deadline = Date.now() + ms; Date.now() < deadline && !matches(screen()); ) await sleep(100)
      const text = screen()
      expect(text, `screen:\n${text}`).toMatch(pattern)
      return text
    },
    /** The process running in the pane (the shell's child). */
    pid: () => Number(execFileSync('pgrep', ['-P', tmux('list-panes', '-t', session, '-F', '#{pane_pid}').trim()], {encoding: 'utf8'}).trim().split('\n')[0]),
  }
}
afterAll(() => {
  // The server ends with its sessions, and with them what they run.
  try {
    tmux('kill-server')
  } catch {
    // no session left: already gone
  }
})

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
