// The `density` scenario (issue 15, memory-aware serving): a generated repository of N small models (default 1,000,
// density-repo.js), in this order (bench/README.md, "Density", says what each number means and its limits):
//
// 1. base:      no budget, load_models_at_startup false: the RSS of the process with no model (stopped at once);
// 2. no budget: load_models_at_startup true: time to ready and RSS with every model loaded, what serving this
//               repository costs without the feature; models' memory = RSS here - RSS of (1); the budget is a tenth
//               of it (unless --density-budget says otherwise). Stays up for (4) and (5).
// 3. budget:    a server with memory_budget = that tenth and load_models_at_startup false.
// 4. hits only: a working set (the hottest models in the Zipf order, up to half the budget by the server's size
//               estimate, at most 50) loaded in (3), then uniform traffic over it on (2) and (3) in interleaved rounds
//               (--rounds, --duration, --warmup, as the load scenarios): hit throughput with a budget against none.
// 5. control:   the Zipf load on (2) for 10 s: what traffic alone adds to RSS, no model loaded or evicted.
// 6. Zipf:      on (3), Zipf-distributed traffic (s = 1.1, fixed seed) over all N models from 32 connections for
//               --density-duration seconds (default 60), every request recorded (density-load.js), the server's RSS
//               sampled every 100 ms and its process metrics every second, the index polled every 500 ms, /metrics
//               scraped before and after.
//
// With --density-budget off, (3) is a second server without a budget, everything loaded at start-up: this proves
// the generator and the load generator on a server without the feature (its "peak of models" should then come out
// near the no-budget models' RSS of (2), every model being loaded from the start).
import {mkdirSync} from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {
  ResidencyTracker,
  getText,
  histogramBuckets,
  histogramQuantile,
  memoryOf,
  parseMetrics,
  postOnce,
  quantile,
  repositoryIndex,
  runLoad,
  sampleNonHeap,
  sampleRss,
  sumMetric,
  uniform,
  zipf,
} from './density-load.js'
import {describeRepository, writeDensityRepository, writeSettings} from './density-repo.js'
import {cpuSeconds, startServer, stopServer} from './processes.js'
import {median, root} from './util.js'

export const DENSITY_ID = 'density'
const MiB = 1024 * 1024
const SETTLE_MS = 1000
const PORTS = {host: '127.0.0.1', http_port: 0, grpc_port: 0, metrics_port: 0, debug: false}
const LOADED = /event=model_loaded\b.*?\bduration_ms=(\d+)|"event":"model_loaded".*?"duration_ms":(\d+)/
const EVICTED = /event=model_evicted\b|"event":"model_evicted"/
const mib = (bytes) => (bytes === null || bytes === undefined || Number.isNaN(bytes) ? null : bytes / MiB)

/** Parses --density-budget: 'auto', 'off', or a byte size ("64MiB", "50000000"). */
export function parseDensityBudget(text) {
  if (text === 'auto' || text === 'off') return text
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kib|mib|gib|kb|mb|gb)?\s*$/i.exec(text)
  if (!match) return undefined
  const unit = {b: 1, kib: 1024, mib: MiB, gib: 1024 * MiB, kb: 1e3, mb: 1e6, gb: 1e9}[(match[2] ?? 'b').toLowerCase()]
  return Math.ceil(Number(match[1]) * unit)
}

function readyStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(`${url}/v2/health/ready`, {agent: false, timeout: 2000}, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode))
    })
    request.on('timeout', () => request.destroy())
    request.on('error', () => resolve(0))
  })
}

/** The size a model's memory is estimated at before its first load (the server's own formula, from dist/). */
async function estimator() {
  try {
    const {estimateBytes} = await import(path.join(root, 'dist/memory/size-estimate.js'))
    return (m) => estimateBytes(m.fileBytes, m.implementation === 'xgboost' ? 'xgboost' : m.implementation)
  } catch {
    return (m) => m.fileBytes * 3 + MiB
  }
}

/**
 * Starts `mls start dir` (settings from dir/settings.json, written just before), waits for GET /v2/health/ready = 200
 * (or, with `readyLine`, for that log line), then SETTLE_MS. Times from the spawn. `onLine` sees every log line.
 */
async function start(name, dir, {onLine, readyLine, timeoutMs = 600_000} = {}) {
  const started = performance.now()
  const warnings = []
  const server = await startServer({
    name,
    args: ['bin/run.js', 'start', dir],
    endpoints: ['rest', 'metrics'],
    onLine: (line) => {
      if (/unknown key "memory_budget"|unknown key "load_models_at_startup"/.test(line)) warnings.push(line)
      onLine?.(line)
    },
    readyLine,
  })
  server.warnings = warnings
  server.listeningMs = performance.now() - started
  if (!readyLine) {
    for (;;) {
      if (server.exited) throw new Error(`${name} exited (${server.exited})\n${server.tail.join('\n')}`)
      if (warnings.length) break // a server without the feature; the caller says so
      if ((await readyStatus(server.url)) === 200) break
      if (performance.now() - started > timeoutMs) throw new Error(`${name} not ready within ${timeoutMs / 1000} s\n${server.tail.join('\n')}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  server.readyMs = performance.now() - started
  await new Promise((r) => setTimeout(r, SETTLE_MS))
  server.rssAtReady = memoryOf(server.child.pid)?.rss
  server.nonHeapAtReady = await nonHeapNow(server)
  return server
}

const metricsOf = async (server) => parseMetrics(await getText(server.metrics))

/** RSS minus the V8 heap's committed size, from the server's own process metrics (null when it has none). */
async function nonHeapNow(server) {
  try {
    const m = await metricsOf(server)
    const rss = sumMetric(m, 'process_resident_memory_bytes')
    const heap = sumMetric(m, 'nodejs_heap_size_total_bytes')
    return rss === null || heap === null ? null : rss - heap
  } catch {
    return null
  }
}

/** {count, p50, p99} of latencies (ms). */
function latencyStats(values) {
  return {count: values.length, p50: quantile(values, 0.5), p99: quantile(values, 0.99)}
}

/** The latencies of the 200 answers split into hits, misses and misses of models under 1 MiB; and the errors. */
function splitLatencies(records, smallModel) {
  const split = {hit: [], miss: [], missSmall: [], errors: 0}
  for (let k = 0; k < records.status.length; k++) {
    if (records.status[k] !== 200) {
      split.errors++
      continue
    }
    if (records.miss[k]) {
      split.miss.push(records.latency[k])
      if (smallModel(records.model[k])) split.missSmall.push(records.latency[k])
    } else split.hit.push(records.latency[k])
  }
  return split
}

/** Per kind, the index's memory_bytes at the end (median, max) and where they come from (measured / estimated ...). */
function sizesByKind(models, index) {
  const byName = new Map(index.map((item) => [item.name, item]))
  const out = {}
  for (const m of models) {
    const item = byName.get(m.name)
    if (typeof item?.memory_bytes !== 'number') continue
    const k = (out[m.kind] ??= {sizes: [], sources: {}})
    k.sizes.push(item.memory_bytes)
    k.sources[item.memory_source] = (k.sources[item.memory_source] ?? 0) + 1
  }
  for (const k of Object.values(out)) {
    k.medianBytes = median(k.sizes)
    k.maxBytes = Math.max(...k.sizes)
    delete k.sizes
  }
  return out
}

function countStates(index) {
  const states = {}
  for (const item of index) states[item.state] = (states[item.state] ?? 0) + 1
  return states
}

/** Sends one request to each of `indices` in turn (loads them on a budget server); throws on any non-200. */
async function touch(server, models, indices) {
  for (const i of indices) {
    const {status, text} = await postOnce(server.url, models[i])
    if (status !== 200) throw new Error(`${server.name}: ${models[i].name} answered ${status}: ${text.slice(0, 300)}`)
  }
}

export function buildDensityScenario({dir}, options) {
  const {models: count, duration, connections, budget: budgetOption, s, seed, pollMs} = options
  const repo = path.join(dir, 'density')
  return {
    id: DENSITY_ID,
    name: `density: ${count} models, Zipf s=${s}, ${connections} connections, ${duration} s`,
    command: `node bin/run.js start <tmp>/density (settings.json per phase)`,
    async run(config, log) {
      mkdirSync(repo, {recursive: true})
      let t = performance.now()
      const models = writeDensityRepository(repo, {count, seed})
      const kinds = describeRepository(models)
      const repoBytes = models.reduce((a, m) => a + m.fileBytes, 0)
      log(`  repository: ${count} models, ${mib(repoBytes).toFixed(1)} MiB on disk, written in ${((performance.now() - t) / 1000).toFixed(1)} s`)
      for (const k of kinds) log(`    ${k.kind.padEnd(11)} ${String(k.count).padStart(5)} models  ${(k.min / 1024).toFixed(1)}-${(k.max / 1024).toFixed(1)} KiB each, ${mib(k.bytes).toFixed(1)} MiB`)
      const indexOf = new Map(models.map((m, i) => [m.name, i]))
      const estimate = await estimator()
      const servers = []
      const result = {models: count, repoBytes, kinds, options: {...options}, budgetMode: budgetOption === 'off' ? 'off' : 'on'}
      try {
        // 1. base RSS: nothing loaded
        writeSettings(repo, {...PORTS, load_models_at_startup: false})
        const base = await start('mls (no models loaded)', repo, {readyLine: /start-up loading finished/})
        const baseRss = base.rssAtReady
        const baseNonHeap = base.nonHeapAtReady
        await stopServer(base)
        log(`  base (nothing loaded): RSS ${mib(baseRss).toFixed(1)} MiB`)

        // 2. no budget, everything at start-up
        writeSettings(repo, {...PORTS, load_models_at_startup: true})
        const full = await start('mls (no budget)', repo)
        servers.push(full)
        const fullIndex = await repositoryIndex(full.url)
        const fullMetrics = await metricsOf(full)
        result.noBudget = {
          readyMs: full.readyMs,
          rssBytes: full.rssAtReady,
          hwmBytes: memoryOf(full.child.pid)?.hwm,
          baseRssBytes: baseRss,
          modelsBytes: full.rssAtReady - baseRss,
          states: countStates(fullIndex),
          serverModelsBytes: sumMetric(fullMetrics, 'models_memory_bytes'),
        }
        log(`  no budget, load_models_at_startup true: ready ${(full.readyMs / 1000).toFixed(1)} s, RSS ${mib(full.rssAtReady).toFixed(1)} MiB ` +
          `(models ${mib(result.noBudget.modelsBytes).toFixed(1)} MiB over the base), index ${JSON.stringify(result.noBudget.states)}`)
        if ((result.noBudget.states.READY ?? 0) !== count) throw new Error(`no-budget server: ${result.noBudget.states.READY ?? 0} of ${count} models READY: ${full.tail.slice(-5).join('\n')}`)

        // 2b. The sizes the budget will count: a server with a budget far above the repository loads every model at
        // start-up and its index says each version's memory_bytes (measured, or the runtime's own count). "A budget
        // that holds about a tenth of them" is a tenth of their sum.
        let sized = null
        if (typeof budgetOption !== 'number') {
          writeSettings(repo, {...PORTS, memory_budget: '1TiB', load_models_at_startup: true})
          const sizing = await start('mls (sizing, budget 1 TiB)', repo)
          try {
            const items = await repositoryIndex(sizing.url)
            const sizes = items.map((item) => item.memory_bytes).filter((b) => typeof b === 'number')
            const sources = {}
            for (const item of items) sources[item.memory_source ?? 'none'] = (sources[item.memory_source ?? 'none'] ?? 0) + 1
            if (sizes.length === count) sized = {totalBytes: sizes.reduce((a, b) => a + b, 0), largestBytes: Math.max(...sizes), sources}
            log(`  sizes the budget counts (a server with a 1 TiB budget, everything loaded): ${sized ? mib(sized.totalBytes).toFixed(1) + ' MiB in all' : `only ${sizes.length} of ${count} sizes`}, sources ${JSON.stringify(sources)}`)
          } finally {
            await stopServer(sizing)
          }
        }
        result.sized = sized
        const budget =
          // (never less than twice the largest model: a small --density-models run must still fit each model)
          typeof budgetOption === 'number' ? budgetOption : Math.max(MiB, 2 * (sized?.largestBytes ?? 0), Math.round((sized?.totalBytes ?? result.noBudget.modelsBytes) / 10))
        result.budget = {
          bytes: budget,
          source: typeof budgetOption === 'number' ? '--density-budget' : sized ? 'a tenth of the sizes the server counts for all models' : 'a tenth of the models\' RSS without a budget',
          applied: budgetOption !== 'off',
        }
        log(`  budget: ${mib(budget).toFixed(1)} MiB (${result.budget.source})${result.budget.applied ? '' : ', NOT applied (--density-budget off)'}`)

        // 3. the budget server (or, with "off", a second server without one, everything loaded at start-up)
        const loads = []
        const evictionLines = {count: 0}
        let counting = false
        const onLine = (line) => {
          if (!counting) return
          const match = LOADED.exec(line)
          if (match) loads.push(Number(match[1] ?? match[2]))
          else if (EVICTED.test(line)) evictionLines.count++
        }
        let budgeted
        if (result.budget.applied) {
          writeSettings(repo, {...PORTS, memory_budget: budget, load_models_at_startup: false})
          budgeted = await start('mls (budget)', repo, {onLine})
          if (budgeted.warnings.length) {
            throw new Error(`this server does not know memory_budget (${budgeted.warnings[0]}); run --density-budget off to try the bench without the feature`)
          }
        } else {
          writeSettings(repo, {...PORTS, load_models_at_startup: true})
          budgeted = await start('mls (no budget, 2nd)', repo, {onLine})
        }
        servers.push(budgeted)
        log(`  ${budgeted.name}: ready ${(budgeted.readyMs / 1000).toFixed(1)} s, RSS ${mib(budgeted.rssAtReady).toFixed(1)} MiB`)
        const z = zipf(count, s, seed)

        // 4. hits only, first, while both servers have served nothing: a working set that fits in half the budget
        // (the hottest models in the Zipf order, by the server's size estimate, at most 50), loaded in the budget
        // server, then uniform traffic over it on both, interleaved rounds.
        const working = []
        let workingEstimate = 0
        for (const i of z.order) {
          if (working.length >= 50 || workingEstimate + estimate(models[i]) > budget / 2) break
          working.push(i)
          workingEstimate += estimate(models[i])
        }
        if (working.length === 0) working.push(z.order[0])
        const sides = [
          ['no budget', full],
          [result.budget.applied ? 'budget' : 'no budget (2nd)', budgeted],
        ]
        await touch(budgeted, models, working)
        const workingIndex = await repositoryIndex(budgeted.url)
        const workingNames = new Set(working.map((i) => models[i].name))
        const workingItems = workingIndex.filter((item) => workingNames.has(item.name))
        const workingMeasured = workingItems.every((item) => typeof item.memory_bytes === 'number') ? workingItems.reduce((a, item) => a + item.memory_bytes, 0) : null
        log(`  hits only: ${working.length} models (estimated ${mib(workingEstimate).toFixed(1)} MiB${workingMeasured === null ? '' : `, measured ${mib(workingMeasured).toFixed(1)} MiB`}; ` +
          `${workingItems.filter((item) => item.state === 'READY').length} READY), uniform, ${connections} connections`)
        const hitBefore = await metricsOf(budgeted)
        const pick = uniform(working, seed + 1)
        if (config.warmup) for (const [, server] of sides) await runLoad({baseUrl: server.url, models, pick, durationS: config.warmup, connections})
        const rounds = {baseline: [], mls: []}
        for (let round = 1; round <= config.rounds; round++) {
          for (const [k, [label, server]] of sides.entries()) {
            const cpu = cpuSeconds(server.child.pid)
            const r = await runLoad({baseUrl: server.url, models, pick, durationS: config.duration, connections})
            const requests = r.records.status.length
            const bad = r.records.status.filter((x) => x !== 200).length
            const row = {rps: requests / r.seconds, p50: quantile(r.records.latency, 0.5), p99: quantile(r.records.latency, 0.99), requests, errors: bad, cpuUs: ((cpuSeconds(server.child.pid) - cpu) * 1e6) / requests}
            rounds[k === 0 ? 'baseline' : 'mls'].push(row)
            log(`  round ${round} ${label.padEnd(16)} ${row.rps.toFixed(0).padStart(6)} req/s  p50 ${row.p50.toFixed(2)} ms  p99 ${row.p99.toFixed(2)} ms  CPU ${row.cpuUs.toFixed(0)} us/request${bad ? `  ${bad} errors: ${r.errors[0]}` : ''}`)
          }
        }
        const hitAfter = await metricsOf(budgeted)
        const med = (rows, key) => median(rows.map((r) => r[key]))
        const summary = Object.fromEntries(Object.entries(rounds).map(([role, rows]) => [role, {rps: med(rows, 'rps'), p50: med(rows, 'p50'), p99: med(rows, 'p99'), cpuUs: med(rows, 'cpuUs'), errors: rows.reduce((a, r) => a + r.errors, 0)}]))
        const missDelta = sumMetric(hitAfter, 'model_residency_requests_total', {result: 'miss'})
        result.hitsOnly = {
          models: working.length,
          workingEstimateBytes: workingEstimate,
          workingMeasuredBytes: workingMeasured,
          labels: {baseline: sides[0][0], mls: sides[1][0]},
          rounds,
          summary,
          ratio: summary.mls.rps / summary.baseline.rps,
          cpuRatio: summary.mls.cpuUs / summary.baseline.cpuUs,
          missesDuring: missDelta === null ? null : missDelta - (sumMetric(hitBefore, 'model_residency_requests_total', {result: 'miss'}) ?? 0),
        }

        // 5. What the traffic alone adds to RSS (V8 heap, buffers, sockets) with no model loaded or evicted: the
        // Zipf load on the no-budget server, whose history (start, the hits-only rounds) matches the budget server's.
        const controlS = Math.min(10, duration)
        const control = sampleRss(full.child.pid, 100)
        const controlNonHeap = sampleNonHeap(full.metrics)
        const controlLoad = await runLoad({baseUrl: full.url, models, pick: zipf(count, s, seed + 2).pick, durationS: controlS, connections})
        result.noBudget.trafficRssBytes = Math.max(0, control.stop().peak - full.rssAtReady)
        const nh = await controlNonHeap.stop()
        result.noBudget.trafficNonHeapBytes = nh.peak === null || full.nonHeapAtReady === null ? null : Math.max(0, nh.peak - full.nonHeapAtReady)
        result.noBudget.trafficSeconds = controlS
        result.noBudget.trafficErrors = controlLoad.records.status.filter((x) => x !== 200).length
        log(`  control: the Zipf load on ${full.name} for ${controlS} s: ${(controlLoad.records.status.length / controlLoad.seconds).toFixed(0)} req/s, ` +
          `since ready: RSS +${mib(result.noBudget.trafficRssBytes).toFixed(1)} MiB, outside the JS heap +${mib(result.noBudget.trafficNonHeapBytes)?.toFixed(1)} MiB (no model loaded or evicted)`)

        // 6. Zipf traffic on the budget server (with "off", the second no-budget server)
        const target = budgeted
        const before = await metricsOf(target)
        const tracker = new ResidencyTracker(count, !result.budget.applied)
        for (const i of working) if (result.budget.applied) tracker.answered(i, 200, performance.now()) // loaded by the hits-only phase
        const rss = sampleRss(target.child.pid, 100)
        const nonHeap = sampleNonHeap(target.metrics)
        // the server's sizes of the versions in memory (READY, UNLOADING: a LOADING one may still wait for room), per poll
        let accountedPeak = null
        const onIndex = (items) => {
          let used = 0
          let known = false
          for (const item of items) {
            if (typeof item.memory_bytes !== 'number') continue
            known = true
            if (item.state === 'READY' || item.state === 'UNLOADING') used += item.memory_bytes
          }
          if (known) accountedPeak = Math.max(accountedPeak ?? 0, used)
        }
        counting = true
        log(`  Zipf load on ${target.name} for ${duration} s ...`)
        const load = await runLoad({baseUrl: target.url, models, pick: z.pick, durationS: duration, connections, tracker, pollIndex: {baseUrl: target.url, everyMs: pollMs, indexOf, onIndex}})
        counting = false
        const sampled = rss.stop()
        const nonHeapSampled = await nonHeap.stop()
        const after = await metricsOf(target)
        const endIndex = await repositoryIndex(target.url)
        const hwm = memoryOf(target.child.pid)?.hwm
        const delta = (name, where) => {
          const a = sumMetric(after, name, where)
          return a === null ? null : a - (sumMetric(before, name, where) ?? 0)
        }
        const {records} = load
        const n = records.status.length
        const sizeOf = new Map(endIndex.filter((item) => typeof item.memory_bytes === 'number').map((item) => [item.name, item.memory_bytes]))
        const smallModel = (i) => (sizeOf.get(models[i].name) ?? models[i].fileBytes) < MiB
        const {errors, ...okLat} = splitLatencies(records, smallModel)
        const serverHits = delta('model_residency_requests_total', {result: 'hit'})
        const serverMisses = delta('model_residency_requests_total', {result: 'miss'})
        const loadBuckets = [histogramBuckets(before, 'model_load_duration_seconds'), histogramBuckets(after, 'model_load_duration_seconds')]
        const largest = sizeOf.size ? Math.max(...sizeOf.values()) : Math.max(...models.map(estimate))
        const resident = endIndex.filter((item) => item.state === 'READY')
        // RSS of the Zipf server with no model loaded: the budget server at ready; with "off", phase 1's base
        const zipfBaseRss = result.budget.applied ? budgeted.rssAtReady : baseRss
        const zipfBaseNonHeap = result.budget.applied ? budgeted.nonHeapAtReady : baseNonHeap
        result.zipf = {
          server: target.name,
          seconds: load.seconds,
          requests: n,
          rps: n / load.seconds,
          errors,
          errorSamples: load.errors,
          distinctModels: new Set(records.model).size,
          hitRatio: {
            server: serverHits === null || serverHits + serverMisses === 0 ? null : serverHits / (serverHits + serverMisses),
            serverCounts: {hit: serverHits, miss: serverMisses},
            client: okLat.hit.length / Math.max(1, okLat.hit.length + okLat.miss.length),
            clientCounts: {hit: okLat.hit.length, miss: okLat.miss.length},
          },
          latency: {hit: latencyStats(okLat.hit), miss: latencyStats(okLat.miss), missUnder1MiB: latencyStats(okLat.missSmall)},
          loads: {
            logCount: loads.length,
            logP50: quantile(loads, 0.5),
            logP99: quantile(loads, 0.99),
            metricsCount: delta('model_loads_total', {reason: 'request'}),
            histogramP50: histogramQuantile(...loadBuckets, 0.5),
            histogramP99: histogramQuantile(...loadBuckets, 0.99),
          },
          evictions: {metrics: delta('model_evictions_total'), logLines: evictionLines.count, seenByPolling: tracker.evictionsSeen},
          polls: load.polls,
          pollErrors: load.pollErrors,
          rss: {
            baseBytes: zipfBaseRss,
            peakSampledBytes: sampled.peak,
            samples: sampled.samples,
            hwmBytes: hwm,
            rawPeakOverBaseBytes: sampled.peak - zipfBaseRss,
            trafficBytes: result.noBudget.trafficRssBytes,
            modelsPeakBytes: sampled.peak - zipfBaseRss - result.noBudget.trafficRssBytes,
            indexPeakBytes: accountedPeak,
            accountedPeakBytes: nonHeapSampled.accountedPeak,
            nonHeap: {
              atReadyBytes: zipfBaseNonHeap,
              atStartBytes: nonHeapSampled.first,
              peakBytes: nonHeapSampled.peak,
              samples: nonHeapSampled.samples,
              trafficBytes: result.noBudget.trafficNonHeapBytes,
              modelsPeakBytes: nonHeapSampled.peak === null || zipfBaseNonHeap === null ? null : nonHeapSampled.peak - zipfBaseNonHeap - (result.noBudget.trafficNonHeapBytes ?? 0),
            },
            largestModelBytes: largest,
            largestSource: sizeOf.size ? 'index memory_bytes' : 'size estimate',
            limitBytes: budget + largest,
          },
          sizesByKind: sizesByKind(models, endIndex),
          end: {states: countStates(endIndex), residentBytes: resident.reduce((a, item) => a + (item.memory_bytes ?? 0), 0), modelsMemoryBytes: sumMetric(after, 'models_memory_bytes')},
        }
        const zr = result.zipf
        log(`  ${n} requests in ${load.seconds.toFixed(1)} s (${zr.rps.toFixed(0)} req/s), ${errors} errors, ${zr.distinctModels} distinct models; ` +
          `client hit ratio ${(zr.hitRatio.client * 100).toFixed(1)}%${zr.hitRatio.server === null ? '' : `, server ${(zr.hitRatio.server * 100).toFixed(1)}%`}; ` +
          `peak RSS ${mib(sampled.peak).toFixed(1)} MiB (${sampled.samples} samples); end index ${JSON.stringify(zr.end.states)}`)
        for (const e of load.errors.slice(0, 3)) log(`    error: ${e}`)

        // 7. The same Zipf traffic paced at half the rate the closed loop reached (open loop, the same 32 connections):
        // what a miss costs when the server is not saturated. In the closed loop the 32 clients send again as soon as
        // they are answered, so the server is always saturated and every latency there is about connections /
        // throughput, hits' and misses' alike.
        const rate = Math.max(1, Math.round(zr.rps / 2))
        const pacedS = Math.min(30, duration)
        const pacedBefore = await metricsOf(target)
        log(`  Zipf load paced at ${rate} req/s (half the closed loop's) on ${target.name} for ${pacedS} s ...`)
        const pacedLoad = await runLoad({baseUrl: target.url, models, pick: z.pick, durationS: pacedS, connections, tracker, pollIndex: {baseUrl: target.url, everyMs: pollMs, indexOf}, rate})
        const pacedAfter = await metricsOf(target)
        const pacedSplit = splitLatencies(pacedLoad.records, smallModel)
        const pacedDelta = (name, where) => {
          const a = sumMetric(pacedAfter, name, where)
          return a === null ? null : a - (sumMetric(pacedBefore, name, where) ?? 0)
        }
        const pHits = pacedDelta('model_residency_requests_total', {result: 'hit'})
        const pMisses = pacedDelta('model_residency_requests_total', {result: 'miss'})
        result.paced = {
          rate,
          seconds: pacedLoad.seconds,
          requests: pacedLoad.records.status.length,
          errors: pacedSplit.errors,
          errorSamples: pacedLoad.errors,
          hitRatio: pHits === null || pHits + pMisses === 0 ? null : pHits / (pHits + pMisses),
          latency: {hit: latencyStats(pacedSplit.hit), miss: latencyStats(pacedSplit.miss), missUnder1MiB: latencyStats(pacedSplit.missSmall)},
          loads: pacedDelta('model_loads_total', {reason: 'request'}),
          evictions: pacedDelta('model_evictions_total'),
        }
        const pr = result.paced
        log(`  paced: ${pr.requests} requests (${(pr.requests / pr.seconds).toFixed(0)} req/s), ${pr.errors} errors, hit ratio ${pct(pr.hitRatio)}, ` +
          `misses < 1 MiB p50 / p99 ${ms(pr.latency.missUnder1MiB.p50)} / ${ms(pr.latency.missUnder1MiB.p99)} ms`)
        for (const e of pacedLoad.errors.slice(0, 3)) log(`    error: ${e}`)
      } finally {
        for (const server of servers) await stopServer(server)
      }
      const zr = result.zipf
      const errorsTotal = zr.errors + (result.paced?.errors ?? 0) + result.hitsOnly.summary.baseline.errors + result.hitsOnly.summary.mls.errors
      result.met = {
        errors: errorsTotal === 0,
        rss: result.budget.applied ? zr.rss.modelsPeakBytes <= zr.rss.limitBytes : null,
        nonHeap: result.budget.applied && zr.rss.nonHeap.modelsPeakBytes !== null ? zr.rss.nonHeap.modelsPeakBytes <= zr.rss.limitBytes : null,
        missP99: result.budget.applied && zr.latency.missUnder1MiB.count ? zr.latency.missUnder1MiB.p99 < 50 : null,
        pacedMissP99: result.budget.applied && result.paced?.latency.missUnder1MiB.count ? result.paced.latency.missUnder1MiB.p99 < 50 : null,
        hitThroughput: result.hitsOnly.ratio >= 0.95,
      }
      return result
    },
  }
}

const ms = (v) => (v === null || v === undefined ? '-' : v.toFixed(2))
const pct = (v) => (v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`)
const mb = (v) => (v === null || v === undefined ? '-' : `${mib(v).toFixed(1)} MiB`)
const yes = (b) => (b === null || b === undefined ? 'n/a' : b ? 'yes' : 'NO')

export function printDensityTable(r) {
  if (!r) return
  const z = r.zipf
  const h = r.hitsOnly
  const table = [['density', 'value', 'target', 'met']]
  const row = (name, value, target = '', met = '') => table.push([name, value, target, met])
  row('models (on disk)', `${r.models} (${mb(r.repoBytes)})`)
  row('no budget, all at start-up: ready', `${(r.noBudget.readyMs / 1000).toFixed(1)} s`)
  row('no budget, all at start-up: RSS', `${mb(r.noBudget.rssBytes)} (models ${mb(r.noBudget.modelsBytes)})`)
  if (r.sized) row('sizes the server counts, all models', mb(r.sized.totalBytes))
  row('budget', `${mb(r.budget.bytes)} (${r.budget.source})${r.budget.applied ? '' : ' (NOT applied: --density-budget off)'}`)
  row(`Zipf: requests (${z.seconds.toFixed(0)} s, ${r.options.connections} conns)`, `${z.requests} (${z.rps.toFixed(0)} req/s, ${z.distinctModels} models)`)
  row('Zipf: errors', String(z.errors), '0', yes(z.errors === 0))
  row('Zipf: hit ratio (server counter)', pct(z.hitRatio.server))
  row('Zipf: hit ratio (client classification)', pct(z.hitRatio.client))
  row('Zipf: hits p50 / p99', `${ms(z.latency.hit.p50)} / ${ms(z.latency.hit.p99)} ms (${z.latency.hit.count})`)
  row('Zipf: misses p50 / p99', `${ms(z.latency.miss.p50)} / ${ms(z.latency.miss.p99)} ms (${z.latency.miss.count})`)
  row('Zipf: misses < 1 MiB p50 / p99', `${ms(z.latency.missUnder1MiB.p50)} / ${ms(z.latency.missUnder1MiB.p99)} ms (${z.latency.missUnder1MiB.count})`, 'p99 < 50 ms', yes(r.met.missP99))
  if (r.paced) {
    const p = r.paced
    row(`paced Zipf: ${p.rate} req/s for ${p.seconds.toFixed(0)} s (half the closed loop's)`, `${p.requests} requests, ${p.errors} errors, hit ratio ${pct(p.hitRatio)}`, '0 errors', yes(p.errors === 0))
    row('paced Zipf: hits p50 / p99', `${ms(p.latency.hit.p50)} / ${ms(p.latency.hit.p99)} ms (${p.latency.hit.count})`)
    row('paced Zipf: misses < 1 MiB p50 / p99', `${ms(p.latency.missUnder1MiB.p50)} / ${ms(p.latency.missUnder1MiB.p99)} ms (${p.latency.missUnder1MiB.count})`, 'p99 < 50 ms', yes(r.met.pacedMissP99))
    row('paced Zipf: loads / evictions', `${p.loads ?? '-'} / ${p.evictions ?? '-'}`)
  }
  row('Zipf: loads (log) p50 / p99', `${ms(z.loads.logP50)} / ${ms(z.loads.logP99)} ms (${z.loads.logCount})`)
  row('Zipf: load_duration histogram p50 / p99', z.loads.histogramP50 === null ? '-' : `${ms(z.loads.histogramP50 * 1000)} / ${ms(z.loads.histogramP99 * 1000)} ms`)
  row('Zipf: evictions (metrics / seen by polling)', `${z.evictions.metrics ?? '-'} / ${z.evictions.seenByPolling}`)
  row('Zipf: peak RSS of the server (sampled / VmHWM)', `${mb(z.rss.peakSampledBytes)} / ${mb(z.rss.hwmBytes)}`)
  row('Zipf: peak RSS - base RSS at ready', mb(z.rss.rawPeakOverBaseBytes))
  row('  - traffic\'s own RSS (no-budget control)', mb(z.rss.trafficBytes))
  row('Zipf: = peak RSS of models', mb(z.rss.modelsPeakBytes), `<= ${mb(z.rss.limitBytes)}`, yes(r.met.rss))
  row('Zipf: outside the JS heap: peak - at ready', mb(z.rss.nonHeap.peakBytes === null || z.rss.nonHeap.atReadyBytes === null ? null : z.rss.nonHeap.peakBytes - z.rss.nonHeap.atReadyBytes))
  row('  - traffic\'s own (no-budget control)', mb(z.rss.nonHeap.trafficBytes))
  row('Zipf: = peak of models outside the JS heap', mb(z.rss.nonHeap.modelsPeakBytes), `<= ${mb(z.rss.limitBytes)}`, yes(r.met.nonHeap))
  row('Zipf: peak models_memory_bytes (server\'s account, 1 s samples)', mb(z.rss.accountedPeakBytes), `<= ${mb(z.rss.limitBytes)}`, yes(z.rss.accountedPeakBytes === null ? null : z.rss.accountedPeakBytes <= z.rss.limitBytes))
  row('Zipf: peak READY memory_bytes in the index (polls)', mb(z.rss.indexPeakBytes))
  const side = (s) => `${s.rps.toFixed(0)} req/s, p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, CPU ${s.cpuUs.toFixed(0)} us/req`
  row(`hits only: ${h.labels.baseline}`, side(h.summary.baseline))
  row(`hits only: ${h.labels.mls}`, side(h.summary.mls))
  row(`hits only: server CPU per request, ratio`, `${h.cpuRatio.toFixed(3)}x`)
  row(`hits only: ${h.labels.mls} / ${h.labels.baseline}`, `${(Math.floor(h.ratio * 100) / 100).toFixed(2)}x (${h.models} models, misses ${h.missesDuring ?? '-'})`, '>= 0.95', yes(r.met.hitThroughput))
  for (const [kind, k] of Object.entries(z.sizesByKind ?? {})) {
    row(`  server's size of ${kind} (median / max)`, `${mb(k.medianBytes)} / ${mb(k.maxBytes)} (${Object.entries(k.sources).map(([src, c]) => `${c} ${src}`).join(', ')})`)
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((x) => x[i].length)))
  console.log(`\n${r.name ?? 'density'} (hits only: median of ${h.rounds.baseline.length} interleaved round(s)):`)
  for (const x of table) console.log(x.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
}
