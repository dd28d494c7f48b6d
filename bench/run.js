// Benchmark of mls against baselines measured in the same run:
// - one-row mnist_sklearn inferences over REST (wrk vs a bare fastify + onnxruntime app) and gRPC (h2load vs a bare
//   grpc-js + onnxruntime server, typed and raw contents); the same row over the REST binary extension vs REST JSON;
//   mls --processes 2 vs one process;
// - a 100k-float FP32 tensor over REST, mls's JSON path vs the binary tensor data extension;
// - one-row requests on a small MLP at 256 connections, without and with adaptive batching;
// - start-up: time to ready and RSS, for the example and for 100 tiny models;
// - only when named (`npm run bench -- cache`): a hot repeated row on the MLP without and with the response cache;
// - only when named (`--scenarios density` or `npm run bench -- density`): 1,000 models under a memory budget, Zipf
//   traffic, hit ratio, latency of hits and misses, RSS against the budget (bench/lib/density.js).
// - only when named (`npm run bench -- tracing`): the rest request with tracing not configured vs configured and
//   exporting every request's spans over OTLP/HTTP to a sink on loopback (bench/lib/tracing.js).
// Run with `npm run bench` (builds first) or `node bench/run.js [--scenarios rest,mlp-batched,...] [--rounds 3] ...`.
// See bench/README.md.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parseArgs} from 'node:util'
import {cleanup, cleaningUp, onCleanup, startServer} from './lib/processes.js'
import {loadExpected, verifyModels} from './lib/models.js'
import {printTable, summarize} from './lib/report.js'
import {LOAD_SCENARIO_IDS, SERVERS, buildScenarios, waitReady} from './lib/scenarios.js'
import {STARTUP_SCENARIO_IDS, buildStartupScenarios, printStartupTable} from './lib/startup.js'
import {DENSITY_ID, buildDensityScenario, parseDensityBudget, printDensityTable} from './lib/density.js'
import {TRACING_ID, startTraceSink} from './lib/tracing.js'
import {git, root, toolVersion} from './lib/util.js'

const SCENARIO_IDS = [...LOAD_SCENARIO_IDS, ...STARTUP_SCENARIO_IDS, DENSITY_ID]
const ONLY_WHEN_NAMED = ['large-binary-sum', 'cache', DENSITY_ID, TRACING_ID]
const DEFAULT_IDS = SCENARIO_IDS.filter((id) => !ONLY_WHEN_NAMED.includes(id))

const USAGE = `usage: node bench/run.js [--scenarios ${DEFAULT_IDS.join(',')}] [--rounds N=3] [--duration SECONDS=5]
                         [--connections N=50] [--streams N=1] [--warmup SECONDS=1]
                         [--large-connections N=8] [--mlp-connections N=256]
                         [--density-models N=1000] [--density-duration SECONDS=60] [--density-connections N=32]
                         [--density-budget auto|off|BYTES] [--density-zipf S=1.1] [--density-seed N=15] [--density-poll MS=500]
                         [SCENARIO ...]
  scenarios: ${SCENARIO_IDS.join(', ')} (${ONLY_WHEN_NAMED.join(' and ')} only when asked for); scenario ids given as
    arguments (\`npm run bench -- density\`) are added to --scenarios when it is given, else replace the default list.
  --density-budget: auto = a tenth of the models' RSS measured without a budget; off = no budget (runs the density
    load against a server without the feature, to try the bench); or a size such as 64MiB.
  --connections: for rest and grpc-*; large-binary* use --large-connections, mlp-batched --mlp-connections.
  --streams: concurrent gRPC calls per connection (h2load -m); REST scenarios always have one per connection.
  --rounds: also the number of measured starts of startup and scale100; --warmup 0 skips their unmeasured first start.`
const {values: flags, positionals} = parseArgs({
  allowPositionals: true,
  options: {
    scenarios: {type: 'string'},
    rounds: {type: 'string', default: '3'},
    duration: {type: 'string', default: '5'},
    connections: {type: 'string', default: '50'},
    streams: {type: 'string', default: '1'},
    warmup: {type: 'string', default: '1'},
    'large-connections': {type: 'string', default: '8'},
    'mlp-connections': {type: 'string', default: '256'},
    'density-models': {type: 'string', default: '1000'},
    'density-duration': {type: 'string', default: '60'},
    'density-connections': {type: 'string', default: '32'},
    'density-budget': {type: 'string', default: 'auto'},
    'density-zipf': {type: 'string', default: '1.1'},
    'density-seed': {type: 'string', default: '15'},
    'density-poll': {type: 'string', default: '500'},
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
  largeConnections: int('large-connections'),
  mlpConnections: int('mlp-connections'),
  threads: 1,
}
const densityBudget = parseDensityBudget(flags['density-budget'])
if (densityBudget === undefined) fail(`--density-budget takes auto, off or a size such as 64MiB; got ${flags['density-budget']}`)
const zipfS = Number(flags['density-zipf'])
if (!(zipfS > 0)) fail(`--density-zipf must be a number > 0, got ${flags['density-zipf']}`)
const densityOptions = {
  models: int('density-models'),
  duration: int('density-duration'),
  connections: int('density-connections'),
  budget: densityBudget,
  s: zipfS,
  seed: int('density-seed', 0),
  pollMs: int('density-poll'),
}

// wrk holds every connection open at once; the servers need a descriptor per connection too.
const openFiles = Number(/^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1].replace('unlimited', 'Infinity'))
const mostConnections = Math.max(config.connections, config.largeConnections, config.mlpConnections, densityOptions.connections)
if (openFiles < mostConnections + 256) fail(`ulimit -n is ${openFiles}: too low for ${mostConnections} connections; raise it (ulimit -n ${mostConnections + 1024})`)

const listed = flags.scenarios ?? (positionals.length ? '' : DEFAULT_IDS.join(','))
const wanted = [...new Set([...listed.split(','), ...positionals].map((s) => s.trim()).filter(Boolean))]
const unknown = wanted.filter((id) => !SCENARIO_IDS.includes(id))
if (unknown.length > 0 || wanted.length === 0) fail(`scenarios are a comma-separated list of ${SCENARIO_IDS.join(', ')}; got "${wanted.join(',')}"\n${USAGE}`)

// A missing load generator skips its scenarios instead of failing the others.
const tools = {wrk: toolVersion('wrk'), h2load: toolVersion('h2load')}
const INSTALL = {wrk: 'apt-get install wrk', h2load: 'apt-get install nghttp2-client'}
const skipped = []
const toolOf = (id) => (id.startsWith('grpc-') ? 'h2load' : STARTUP_SCENARIO_IDS.includes(id) || id === DENSITY_ID ? undefined : 'wrk')
const ids = wanted.filter((id) => {
  const tool = toolOf(id)
  if (!tool || tools[tool]) return true
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
const needsBenchModels = ids.some((id) => id.startsWith('large-') || id === 'mlp-batched' || id === 'cache' || id === 'scale100')
const {connections, largeConnections, mlpConnections} = config

async function runScenario(scenario, servers) {
  const conns = scenario.connections ?? connections
  const cfg = {...config, connections: conns}
  const pair = Object.entries(scenario.sides).map(([role, side]) => [role, side, servers[side.server]])
  console.log(`\n${scenario.name}: ${scenario.command(cfg)}`)
  for (const [, side, server] of pair) console.log(`  ${side.label.padEnd(22)} ${await side.check(server)}`)
  if (config.warmup) for (const [, side, server] of pair) await side.run(cfg, server, config.warmup)

  const rounds = {baseline: [], mls: []}
  for (let round = 1; round <= config.rounds; round++) {
    for (const [role, side, server] of pair) {
      const result = await side.run(cfg, server, config.duration)
      if (server.exited) throw new Error(`${server.name} exited during round ${round} (${server.exited})`)
      rounds[role].push(result)
      const latency = result.p50 === undefined ? `mean ${result.mean.toFixed(2)} ms` : `p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms`
      console.log(`  round ${round} ${side.label.padEnd(22)} ${result.rps.toFixed(0).padStart(7)} req/s  ${latency}${side.describe(result, server)}`)
    }
  }
  for (const [, side, server] of pair) await side.check(server) // still answering correctly
  const {sides, command, ...rest} = scenario
  const summary = summarize(rounds)
  return {
    ...rest,
    connections: conns,
    command: command(cfg),
    labels: Object.fromEntries(pair.map(([role, side]) => [role, side.label])),
    servers: Object.fromEntries(pair.map(([role, side]) => [role, SERVERS[side.server].args.join(' ')])),
    ...(scenario.target && {met: summary.mls.ratio.rps >= scenario.target.ratio}),
    summary,
    rounds,
  }
}

try {
  const expected = needsBenchModels ? loadExpected() : undefined
  if (needsBenchModels) for (const line of await verifyModels(expected)) console.log(line)
  const context = {row, expectedLabel, expected, dir: tmp, largeConnections, mlpConnections}
  const startups = buildStartupScenarios(ids, context)
  const scenarios = buildScenarios(ids.filter((id) => LOAD_SCENARIO_IDS.includes(id)), context)
  const density = ids.includes(DENSITY_ID) ? buildDensityScenario(context, densityOptions) : undefined

  const loadSeconds = scenarios.length * (config.rounds * config.duration + config.warmup) * 2
  const startSeconds = startups.length * (config.rounds + (config.warmup ? 1 : 0)) * 4
  // density: its Zipf run, its hits-only rounds, and about 4 s per 100 models for writing and starting (a guess)
  const densitySeconds = density ? densityOptions.duration + (config.rounds * config.duration + config.warmup) * 2 + densityOptions.models / 25 : 0
  console.log(`${scenarios.length} load scenario(s) × 2 sides × ${config.rounds} round(s) of ${config.duration}s` +
    `${config.warmup ? `, ${config.warmup}s warm-up each` : ''}; ${startups.length} start-up scenario(s) × ${config.rounds} run(s)` +
    `${density ? `; density (${densityOptions.models} models, ${densityOptions.duration} s of Zipf load)` : ''}` +
    ` (~${((loadSeconds + startSeconds + densitySeconds) / 60).toFixed(1)} min)`)

  // Start-up first, while no other server of the bench runs.
  const startResults = []
  for (const scenario of startups) {
    console.log(`\n${scenario.name}: ${scenario.command}`)
    const {run, ...rest} = scenario
    startResults.push({...rest, ...(await run(config, (line) => console.log(line)))})
  }

  // density next, still alone: it starts its own servers
  let densityResult
  if (density) {
    console.log(`\n${density.name}: ${density.command}`)
    densityResult = {id: density.id, name: density.name, ...(await density.run(config, (line) => console.log(line)))}
  }

  const results = []
  if (scenarios.length) {
    const needed = [...new Set(scenarios.flatMap((s) => Object.values(s.sides).map((side) => side.server)))]
    if (needed.includes('mlsTraced')) await startTraceSink(SERVERS.mlsTraced)
    const started = await Promise.all(needed.map((key) => startServer(SERVERS[key])))
    const servers = Object.fromEntries(needed.map((key, i) => [key, started[i]]))
    console.log()
    for (const server of started) {
      await waitReady(server)
      console.log(`${server.name.padEnd(16)} ready at ${[server.url, server.grpc && `grpc://${server.grpc}`].filter(Boolean).join(' and ')}`)
    }
    for (const scenario of scenarios) results.push(await runScenario(scenario, servers))
  }
  if (results.length) printTable(results, config.rounds)
  printStartupTable(startResults)
  printDensityTable(densityResult)

  const valid = results.every((s) => Object.values(s.summary).every((r) => r.valid)) && (!densityResult || densityResult.met.errors)
  const output = {
    date: new Date().toISOString(),
    node: process.version,
    git: {
      commit: git('rev-parse', 'HEAD'),
      short: git('rev-parse', '--short', 'HEAD'),
      subject: git('log', '-1', '--format=%s'),
      committed: git('log', '-1', '--format=%cI'),
      dirty: Boolean(git('status', '--porcelain', '--untracked-files=no')),
    },
    machine: {cpus: os.cpus().length, cpu: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`},
    loadGenerators: tools,
    config,
    expectedLabel,
    valid,
    skipped,
    scenarios: results,
    startup: startResults,
    ...(densityResult && {density: densityResult}),
  }
  const outDir = path.join(root, 'bench/results')
  mkdirSync(outDir, {recursive: true})
  // One file per run, named by date and commit (kept, to compare commits with bench/compare.js), and latest.json.
  const named = `${output.date.replace(/[:.]/g, '-')}_${output.git.short ?? 'nogit'}${output.git.dirty ? '-dirty' : ''}.json`
  const text = JSON.stringify(output, null, 2) + '\n'
  writeFileSync(path.join(outDir, named), text)
  writeFileSync(path.join(outDir, 'latest.json'), text)
  console.log(`\nresults written to bench/results/${named} (and latest.json)${valid ? '' : '\nINVALID run: some requests failed (see the rounds flagged INVALID)'}`)
  if (skipped.length) console.log(`skipped: ${skipped.map((s) => `${s.id} (${s.reason})`).join(', ')}`)
  process.exitCode = valid ? 0 : 1
} catch (error) {
  if (!cleaningUp()) console.error(`bench: ${error.stack ?? error.message}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
