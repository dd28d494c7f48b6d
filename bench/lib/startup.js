// Start-up scenarios: time from spawning `mls start` to GET /v2/health/ready = 200, and the resident memory once
// loaded. `startup` starts the example repository; `scale100` starts a generated repository of 100 copies of
// bench/models/tiny and one of 1 copy, and takes the RSS difference per extra model.
import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {MODELS_DIR, mismatch} from './models.js'
import {startServer, stopServer} from './processes.js'
import {checkRestInfer, inferPath, jsonBody, postInfer, restBody} from './rest.js'
import {median} from './util.js'

const MLS_FLAGS = ['--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--no-debug']
const POLL_MS = 5
const SETTLE_MS = 1000 // idle time between ready and the RSS reading, the same for every start
const MiB = 1024 * 1024

export const STARTUP_SCENARIO_IDS = ['startup', 'scale100']
export const startCommand = (dir) => `node bin/run.js start ${dir} ${MLS_FLAGS.join(' ')}`

/** GET /v2/health/ready on a fresh connection; resolves with the status (0 when the connection fails). */
function readyStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(`${url}/v2/health/ready`, {agent: false, timeout: 1000}, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode))
    })
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolve(0))
  })
}

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)[1]) * 1024
}

async function readyModels(server) {
  const response = await fetch(`${server.url}/v2/repository/index`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{}'})
  const index = await response.json()
  return {ready: index.filter((m) => m.state === 'READY').length, total: index.length}
}

/**
 * Spawns `mls start dir`, polls readiness every 5 ms from the moment its REST port is logged, waits SETTLE_MS, reads
 * the RSS, runs `verify(server)` (correctness, not timed), stops it. Times in ms from the spawn.
 */
async function timeStart(dir, models, verify, timeoutMs = 60_000) {
  const start = performance.now()
  const server = await startServer({name: `mls (${path.basename(dir)})`, args: ['bin/run.js', 'start', dir, ...MLS_FLAGS], endpoints: ['rest']})
  try {
    const listeningMs = performance.now() - start
    let readyMs
    while (readyMs === undefined) {
      if (server.exited) throw new Error(`${server.name} exited (${server.exited})\n${server.tail.join('\n')}`)
      if ((await readyStatus(server.url)) === 200) readyMs = performance.now() - start
      else if (performance.now() - start > timeoutMs) throw new Error(`${server.name} not ready within ${timeoutMs / 1000} s\n${server.tail.join('\n')}`)
      else await new Promise((r) => setTimeout(r, POLL_MS))
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS))
    const rss = rssBytes(server.child.pid)
    const {ready, total} = await readyModels(server)
    if (ready !== models || total !== models) throw new Error(`${server.name}: ${ready} of ${total} models READY, expected ${models}`)
    const checked = await verify(server)
    return {listeningMs, readyMs, rssMiB: rss / MiB, models, checked}
  } finally {
    await stopServer(server)
  }
}

/** A repository of `count` copies of bench/models/tiny (tiny_000, tiny_001, …). */
function scaleRepository(dir, count) {
  for (let i = 0; i < count; i++) {
    const name = `tiny_${String(i).padStart(3, '0')}`
    mkdirSync(path.join(dir, name), {recursive: true})
    copyFileSync(path.join(MODELS_DIR, 'tiny/model.onnx'), path.join(dir, name, 'model.onnx'))
    writeFileSync(path.join(dir, name, 'model-settings.json'), JSON.stringify({name, implementation: 'onnx'}, null, 2) + '\n')
  }
  return dir
}

const fmt = (n) => n.toFixed(0)

export function buildStartupScenarios(ids, {row, expectedLabel, expected, dir}) {
  const mnist = async (server) => {
    const {label} = await checkRestInfer(server, restBody(row))
    if (label !== expectedLabel) throw new Error(`${server.name} answered label ${label}, expected ${expectedLabel}`)
    return `mnist_sklearn label ${label}`
  }
  const tinyCheck = (names) => async (server) => {
    for (const name of names) {
      const {values} = await postInfer(server, inferPath(name), {body: jsonBody('x', expected.tiny.input, [1, 4])})
      const problem = mismatch(values.y ?? [], expected.tiny.output, {atol: 0, rtol: 0})
      if (problem) throw new Error(`${server.name} ${name}: ${problem}`)
    }
    return `${names.join(', ')} answer [${expected.tiny.output}]`
  }
  const scenarios = []
  if (ids.includes('startup')) {
    const repo = 'examples/multi-model'
    scenarios.push({
      id: 'startup',
      name: `start-up to ready: ${repo} (2 models)`,
      command: startCommand(repo),
      target: {readyMs: 1000, text: 'ready < 1 s'},
      // an unmeasured start first (warm file cache), then `rounds` measured ones
      async run(config, log) {
        if (config.warmup) await timeStart(repo, 2, mnist)
        const runs = []
        for (let i = 1; i <= config.rounds; i++) {
          const r = await timeStart(repo, 2, mnist)
          runs.push(r)
          log(`  run ${i}  listening ${fmt(r.listeningMs)} ms  ready ${fmt(r.readyMs)} ms  RSS ${r.rssMiB.toFixed(1)} MiB  (${r.checked})`)
        }
        const summary = {listeningMs: median(runs.map((r) => r.listeningMs)), readyMs: median(runs.map((r) => r.readyMs)), rssMiB: median(runs.map((r) => r.rssMiB))}
        return {summary, runs, met: {readyMs: summary.readyMs < 1000}}
      },
    })
  }
  if (ids.includes('scale100')) {
    const one = scaleRepository(path.join(dir, 'scale-1'), 1)
    const hundred = scaleRepository(path.join(dir, 'scale-100'), 100)
    scenarios.push({
      id: 'scale100',
      name: 'start-up to ready: 100 copies of a tiny ONNX graph',
      command: startCommand('<tmp>/scale-100'),
      target: {readyMs: 5000, perModelMiB: 2, text: 'ready < 5 s, RSS < 2 MiB per model'},
      // alternating 1-model and 100-model starts; RSS per model = (RSS with 100 - RSS with 1) / 99, per pair
      async run(config, log) {
        if (config.warmup) await timeStart(hundred, 100, async () => '')
        const runs = []
        for (let i = 1; i <= config.rounds; i++) {
          const a = await timeStart(one, 1, tinyCheck(['tiny_000']))
          const b = await timeStart(hundred, 100, tinyCheck(['tiny_000', 'tiny_099']))
          const perModelMiB = (b.rssMiB - a.rssMiB) / 99
          runs.push({one: a, hundred: b, perModelMiB})
          log(`  run ${i}  1 model: ready ${fmt(a.readyMs)} ms, RSS ${a.rssMiB.toFixed(1)} MiB   100 models: listening ${fmt(b.listeningMs)} ms, ` +
            `ready ${fmt(b.readyMs)} ms, RSS ${b.rssMiB.toFixed(1)} MiB   per model ${perModelMiB.toFixed(3)} MiB  (${b.checked})`)
        }
        const med = (pick) => median(runs.map(pick))
        const summary = {
          one: {listeningMs: med((r) => r.one.listeningMs), readyMs: med((r) => r.one.readyMs), rssMiB: med((r) => r.one.rssMiB)},
          hundred: {listeningMs: med((r) => r.hundred.listeningMs), readyMs: med((r) => r.hundred.readyMs), rssMiB: med((r) => r.hundred.rssMiB)},
          perModelMiB: med((r) => r.perModelMiB),
        }
        return {summary, runs, met: {readyMs: summary.hundred.readyMs < 5000, perModelMiB: summary.perModelMiB < 2}}
      },
    })
  }
  return scenarios
}

export function printStartupTable(results) {
  if (results.length === 0) return
  const yes = (b) => (b ? 'yes' : 'NO')
  const table = [['start-up', 'listening ms', 'ready ms', 'RSS MiB', 'target', 'met']]
  for (const r of results) {
    if (r.id === 'startup') {
      table.push([r.name, fmt(r.summary.listeningMs), fmt(r.summary.readyMs), r.summary.rssMiB.toFixed(1), 'ready < 1000 ms', yes(r.met.readyMs)])
    } else {
      const {one, hundred, perModelMiB} = r.summary
      table.push(['scale100: 1 tiny model', fmt(one.listeningMs), fmt(one.readyMs), one.rssMiB.toFixed(1), '', ''])
      table.push(['scale100: 100 tiny models', fmt(hundred.listeningMs), fmt(hundred.readyMs), hundred.rssMiB.toFixed(1), 'ready < 5000 ms', yes(r.met.readyMs)])
      table.push(['scale100: RSS per extra model', '', '', perModelMiB.toFixed(3), '< 2 MiB', yes(r.met.perModelMiB)])
    }
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)))
  console.log(`\nstart-up, median of ${results[0].runs.length} run(s) (ms from spawning node bin/run.js start; RSS ${SETTLE_MS / 1000} s after ready):`)
  for (const row of table) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
}
