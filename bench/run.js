// REST throughput benchmark: one-row mnist_sklearn requests against mls and a minimal fastify + onnxruntime baseline.
// Run with `npm run bench` (builds first) or `node bench/run.js [--rounds 3] [--duration 10] [--connections 50]`.
// See bench/README.md.
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'

const root = fileURLToPath(new URL('..', import.meta.url))
const INFER_PATH = '/v2/models/mnist_sklearn/versions/v1.0.0/infer'
const SCENARIO = 'mnist_sklearn 1 row REST'

const {values: flags} = parseArgs({
  options: {
    rounds: {type: 'string', default: '3'},
    duration: {type: 'string', default: '10'},
    connections: {type: 'string', default: '50'},
    warmup: {type: 'string', default: '2'},
    help: {type: 'boolean', short: 'h', default: false},
  },
})
if (flags.help) {
  console.log('usage: node bench/run.js [--rounds N=3] [--duration SECONDS=10] [--connections N=50] [--warmup SECONDS=2]')
  process.exit(0)
}
const int = (name, min = 1) => {
  const n = Number(flags[name])
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got ${flags[name]}`)
  return n
}
const config = {
  rounds: int('rounds'),
  duration: int('duration'),
  connections: int('connections'),
  warmup: int('warmup', 0),
  threads: 1,
}

if (spawnSync('wrk', ['--version']).error?.code === 'ENOENT') {
  fail('wrk not found: install it with `apt-get install wrk` (Debian/Ubuntu package "wrk")')
}

// ---- processes we own, cleaned up on every exit path ----
const children = new Set()
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mls-bench-'))
let cleaning
function cleanup() {
  cleaning ??= Promise.all([...children].map(stop)).finally(() => rmSync(tmp, {recursive: true, force: true}))
  return cleaning
}
function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(hard)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers`)
    cleanup().then(() => process.exit(130))
  })
}
function fail(message) {
  console.error(`bench: ${message}`)
  process.exit(1)
}

// ---- servers ----
function startServer(name, args, env = {}) {
  const child = spawn(process.execPath, args, {cwd: root, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  children.add(child)
  const tail = [] // last log lines, shown when something goes wrong; reading also keeps the pipes drained
  const server = {name, child, tail, url: undefined}
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not report its URL within 20 s\n${tail.join('\n')}`)), 20_000)
    const onData = (chunk) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        tail.push(line)
        if (tail.length > 30) tail.shift()
        const match = !server.url && /listening on (http:\/\/\S+)/.exec(line)
        if (match) {
          server.url = match[1]
          clearTimeout(timer)
          resolve(server)
        }
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited early (${signal ?? code})\n${tail.join('\n')}`))
    })
  })
}

async function waitReady(server, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const status = await fetch(`${server.url}/v2/health/ready`).then((r) => r.status, () => 0)
    if (status === 200) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${server.name} not ready within ${timeoutMs / 1000} s\n${server.tail.join('\n')}`)
}

async function inferOnce(server, body) {
  const response = await fetch(server.url + INFER_PATH, {method: 'POST', headers: {'content-type': 'application/json'}, body})
  const text = await response.text()
  if (response.status !== 200) throw new Error(`${server.name} answered ${response.status}: ${text}`)
  const output = JSON.parse(text).outputs?.[0]
  if (output?.datatype !== 'INT64' || JSON.stringify(output.shape) !== '[1,1]') {
    throw new Error(`${server.name} answered an unexpected output: ${text}`)
  }
  return output.data[0]
}

// ---- wrk ----
const UNIT_MS = {us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3}
function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text ?? '')
  if (!match) throw new Error(`cannot parse wrk latency "${text}"`)
  return Number(match[1]) * UNIT_MS[match[2]]
}
function parseWrk(output) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)
  if (!rps) throw new Error(`no Requests/sec line in wrk output:\n${output}`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0)
  return {
    rps: Number(rps[1]),
    p50: toMs(/^\s*50%\s+(\S+)/m.exec(output)?.[1]),
    p99: toMs(/^\s*99%\s+(\S+)/m.exec(output)?.[1]),
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? 0),
    non2xx,
    socketErrors,
    valid: non2xx === 0 && socketErrors === 0,
  }
}

function runWrk(url, seconds) {
  const args = [`-t${config.threads}`, `-c${config.connections}`, `-d${seconds}s`, '--latency', '-s', path.join(root, 'bench/post.lua'), url]
  const child = spawn('wrk', args, {env: {...process.env, BODY_FILE: bodyFile}, stdio: ['ignore', 'pipe', 'pipe']})
  children.add(child)
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      if (code !== 0) reject(new Error(`wrk failed (${signal ?? code}):\n${output}`))
      else resolve(parseWrk(output))
    })
  })
}

// ---- helpers ----
function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
function git(...args) {
  try {
    return execFileSync('git', args, {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    return null
  }
}

// ---- main ----
const testSet = JSON.parse(readFileSync(path.join(root, 'examples/multi-model/models/mnist_sklearn/test-set.json'), 'utf8'))
const row = testSet.request.inputs[0].data.slice(0, 64)
const expectedLabel = testSet.expected.predict[0]
const body = JSON.stringify({inputs: [{name: 'predict', shape: [1, 64], datatype: 'FP32', data: row}]})
const bodyFile = path.join(tmp, 'body.json')
writeFileSync(bodyFile, body)

try {
  const servers = await Promise.all([
    startServer('baseline', ['bench/baseline/fastify-onnx.js'], {HOST: '127.0.0.1', PORT: '0'}),
    startServer('mls', [
      'bin/run.js', 'start', 'examples/multi-model', '--host', '127.0.0.1',
      '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--no-debug',
    ]),
  ])
  for (const server of servers) {
    await waitReady(server)
    const label = await inferOnce(server, body)
    if (label !== expectedLabel) throw new Error(`${server.name} answered label ${label}, expected ${expectedLabel}`)
    console.log(`${server.name.padEnd(8)} ready at ${server.url}, label ${label} (expected ${expectedLabel})`)
  }

  const minutes = (config.rounds * config.duration + config.warmup) * servers.length / 60
  console.log(`wrk -t${config.threads} -c${config.connections} -d${config.duration}s --latency, ${config.rounds} round(s) alternating` +
    `${config.warmup ? `, ${config.warmup}s warm-up each` : ''} (~${minutes.toFixed(1)} min)`)
  if (config.warmup) for (const server of servers) await runWrk(server.url + INFER_PATH, config.warmup)

  const rounds = Object.fromEntries(servers.map((s) => [s.name, []]))
  for (let round = 1; round <= config.rounds; round++) {
    for (const server of servers) {
      const result = await runWrk(server.url + INFER_PATH, config.duration)
      rounds[server.name].push(result)
      const flag = result.valid ? '' : `  INVALID: ${result.non2xx} non-2xx, ${result.socketErrors} socket errors`
      console.log(`  round ${round} ${server.name.padEnd(8)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms${flag}`)
    }
  }

  const summary = {}
  for (const [name, results] of Object.entries(rounds)) {
    summary[name] = {
      rps: median(results.map((r) => r.rps)),
      p50: median(results.map((r) => r.p50)),
      p99: median(results.map((r) => r.p99)),
      valid: results.every((r) => r.valid),
    }
  }
  const base = summary.baseline
  for (const s of Object.values(summary)) s.ratio = {rps: s.rps / base.rps, p50: s.p50 / base.p50, p99: s.p99 / base.p99}

  const table = [['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'req/s vs baseline', 'valid']]
  for (const [name, s] of Object.entries(summary)) {
    table.push([SCENARIO, name, s.rps.toFixed(0), s.p50.toFixed(2), s.p99.toFixed(2), s.ratio.rps.toFixed(2), s.valid ? 'yes' : 'NO'])
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)))
  console.log(`\nmedian of ${config.rounds} round(s):`)
  for (const r of table) console.log(r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))

  const valid = Object.values(summary).every((s) => s.valid)
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    git: {commit: git('rev-parse', '--short', 'HEAD'), dirty: Boolean(git('status', '--porcelain'))},
    machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`},
    loadGenerator: {tool: 'wrk', version: spawnSync('wrk', ['--version'], {encoding: 'utf8'}).stdout.split('\n')[0].trim(), ...config},
    scenario: {name: SCENARIO, path: INFER_PATH, bodyBytes: Buffer.byteLength(body), expectedLabel},
    valid,
    summary,
    rounds,
  }
  const outDir = path.join(root, 'bench/results')
  mkdirSync(outDir, {recursive: true})
  writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(results, null, 2) + '\n')
  console.log(`\nresults written to bench/results/latest.json${valid ? '' : '\nINVALID run: some requests failed (non-2xx or socket errors)'}`)
  process.exitCode = valid ? 0 : 1
} catch (error) {
  if (!cleaning) console.error(`bench: ${error.message}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
