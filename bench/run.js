// Throughput benchmark: one-row mnist_sklearn inferences against mls and minimal baselines, over REST (wrk vs a bare
// fastify + onnxruntime app) and gRPC (h2load vs a bare grpc-js + onnxruntime server, typed and raw contents).
// Run with `npm run bench` (builds first) or `node bench/run.js [--scenarios rest,grpc-typed,grpc-raw] [--rounds 3] ...`.
// See bench/README.md.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parseArgs} from 'node:util'
import {cleanup, cleaningUp, onCleanup, startServer} from './lib/processes.js'
import {printTable, summarize} from './lib/report.js'
import {SCENARIO_IDS, SERVERS, buildScenarios, waitReady} from './lib/scenarios.js'
import {git, root, toolVersion} from './lib/util.js'

const USAGE = `usage: node bench/run.js [--scenarios ${SCENARIO_IDS.join(',')}] [--rounds N=3] [--duration SECONDS=10]
                         [--connections N=50] [--streams N=1] [--warmup SECONDS=2]
  --streams: concurrent gRPC calls per connection (h2load -m); the REST scenario always has one per connection.`
const {values: flags} = parseArgs({
  options: {
    scenarios: {type: 'string', default: SCENARIO_IDS.join(',')},
    rounds: {type: 'string', default: '3'},
    duration: {type: 'string', default: '10'},
    connections: {type: 'string', default: '50'},
    streams: {type: 'string', default: '1'},
    warmup: {type: 'string', default: '2'},
    help: {type: 'boolean', short: 'h', default: false},
  },
})
if (flags.help) {
  console.log(USAGE)
  process.exit(0)
}
function fail(message) {
  console.error(`bench: ${message}`)
  process.exit(1)
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
  streams: int('streams'),
  warmup: int('warmup', 0),
  threads: 1,
}

const wanted = [...new Set(flags.scenarios.split(',').map((s) => s.trim()).filter(Boolean))]
const unknown = wanted.filter((id) => !SCENARIO_IDS.includes(id))
if (unknown.length > 0 || wanted.length === 0) fail(`--scenarios takes a comma-separated list of ${SCENARIO_IDS.join(', ')}; got "${flags.scenarios}"\n${USAGE}`)

// A missing load generator skips its scenarios instead of failing the others.
const tools = {wrk: toolVersion('wrk'), h2load: toolVersion('h2load')}
const INSTALL = {wrk: 'apt-get install wrk', h2load: 'apt-get install nghttp2-client'}
const skipped = []
const ids = wanted.filter((id) => {
  const tool = id === 'rest' ? 'wrk' : 'h2load'
  if (tools[tool]) return true
  skipped.push({id, reason: `${tool} not found (${INSTALL[tool]})`})
  return false
})
for (const tool of ['wrk', 'h2load']) {
  const ids = skipped.filter((s) => s.reason.startsWith(tool)).map((s) => s.id)
  if (ids.length) console.error(`bench: ${tool} not found: install it with \`${INSTALL[tool]}\`; skipping ${ids.join(', ')}`)
}
if (ids.length === 0) fail('no scenario left to run')

const tmp = mkdtempSync(path.join(os.tmpdir(), 'mls-bench-'))
onCleanup(() => rmSync(tmp, {recursive: true, force: true}))
const testSet = JSON.parse(readFileSync(path.join(root, 'examples/multi-model/models/mnist_sklearn/test-set.json'), 'utf8'))
const row = testSet.request.inputs[0].data.slice(0, 64)
const expectedLabel = testSet.expected.predict[0]
const scenarios = buildScenarios(ids, row, tmp)

async function checkLabel(scenario, server, when) {
  const {label} = await scenario.check(server)
  if (label !== expectedLabel) throw new Error(`${server.name} (${scenario.id}, ${when}) answered label ${label}, expected ${expectedLabel}`)
  return label
}

async function runScenario(scenario, servers) {
  const pair = [['baseline', servers[scenario.baseline]], ['mls', servers.mls]]
  console.log(`\n${scenario.name}: ${scenario.command(config)}`)
  for (const [, server] of pair) console.log(`  ${server.name.padEnd(16)} label ${await checkLabel(scenario, server, 'before')} (expected ${expectedLabel})`)
  if (config.warmup) for (const [, server] of pair) await scenario.run(config, server, config.warmup)

  const rounds = {baseline: [], mls: []}
  for (let round = 1; round <= config.rounds; round++) {
    for (const [role, server] of pair) {
      const result = await scenario.run(config, server, config.duration)
      if (server.exited) throw new Error(`${server.name} exited during round ${round} (${server.exited})`)
      rounds[role].push(result)
      const latency = result.p50 === undefined ? `mean ${result.mean.toFixed(2)} ms` : `p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms`
      console.log(`  round ${round} ${server.name.padEnd(16)} ${result.rps.toFixed(0).padStart(7)} req/s  ${latency}${scenario.describe(result, server)}`)
    }
  }
  for (const [, server] of pair) await checkLabel(scenario, server, 'after the load') // still answering correctly
  const {check, run, describe, command, ...rest} = scenario
  return {...rest, command: command(config), baselineServer: SERVERS[scenario.baseline].args[0], summary: summarize(rounds), rounds}
}

try {
  const needed = [...new Set([...scenarios.map((s) => s.baseline), 'mls'])]
  const started = await Promise.all(needed.map((key) => startServer(SERVERS[key])))
  const servers = Object.fromEntries(needed.map((key, i) => [key, started[i]]))
  for (const server of started) {
    await waitReady(server)
    console.log(`${server.name.padEnd(16)} ready at ${[server.url, server.grpc && `grpc://${server.grpc}`].filter(Boolean).join(' and ')}`)
  }
  const minutes = scenarios.length * (config.rounds * config.duration + config.warmup) * 2 / 60
  console.log(`${scenarios.length} scenario(s) × 2 servers × ${config.rounds} round(s) of ${config.duration}s, -c${config.connections}` +
    `${config.warmup ? `, ${config.warmup}s warm-up each` : ''} (~${minutes.toFixed(1)} min)`)

  const results = []
  for (const scenario of scenarios) results.push(await runScenario(scenario, servers))
  printTable(results, config.rounds)

  const valid = results.every((s) => Object.values(s.summary).every((r) => r.valid))
  const output = {
    date: new Date().toISOString(),
    node: process.version,
    git: {commit: git('rev-parse', '--short', 'HEAD'), dirty: Boolean(git('status', '--porcelain'))},
    machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`},
    loadGenerators: tools,
    config,
    expectedLabel,
    valid,
    skipped,
    scenarios: results,
  }
  const outDir = path.join(root, 'bench/results')
  mkdirSync(outDir, {recursive: true})
  writeFileSync(path.join(outDir, 'latest.json'), JSON.stringify(output, null, 2) + '\n')
  console.log(`\nresults written to bench/results/latest.json${valid ? '' : '\nINVALID run: some requests failed (see the rounds flagged INVALID)'}`)
  if (skipped.length) console.log(`skipped: ${skipped.map((s) => `${s.id} (${s.reason})`).join(', ')}`)
  process.exitCode = valid ? 0 : 1
} catch (error) {
  if (!cleaningUp()) console.error(`bench: ${error.message}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
