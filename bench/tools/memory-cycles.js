#!/usr/bin/env node
/**
 * Does evicting give memory back? Loads and unloads a model CYCLES times through mls's own runtimes (runtime.load(),
 * optionally a few inferences, runtime.unload(): what an eviction and the next load on demand do), sampling RSS,
 * heapUsed and external every SAMPLE cycles after a GC, in a fresh process per case, and prints the growth.
 *
 *   npm run build && node bench/tools/memory-cycles.js [--cycles 1000] [--sample 50] [--infers 0,3]
 *        [--cases onnx-mlp,sklearn-forest,xgboost-json,xgboost-ubj] [--deadline 240] [--preload /path/libjemalloc.so.2]
 *        [--hold N]
 *
 * Cases: onnx-mlp = bench/models/mlp (1.2 MB ONNX MLP, `onnx` runtime); onnx-mlp-16m = a generated 16 MB one (not
 * in the default list: ~25 s per 100 cycles); sklearn-forest = a generated 1 MB ONNX
 * TreeEnsembleClassifier (`sklearn` runtime); xgboost-json / xgboost-ubj = generated 1 MB XGBoost forests. --infers:
 * inferences per cycle, each case runs once per value. --hold N: the control, N cycles that load and never unload (the
 * growth a session that is not released would cost). --preload: LD_PRELOAD for the children (e.g. jemalloc).
 * Bounded: each case stops at its deadline (seconds; the cycles done are reported) and the child is killed 30 s later.
 *
 * Measured (node 20.20, onnxruntime-node 1.30, linux x64, glibc; RSS MiB at cycle 0 / 100 / 1000, growth per cycle):
 *   onnx-mlp        0 infers   84.3 /  87.8 /  91.5   7.4 KiB/cycle (4.2 after cycle 100)
 *   onnx-mlp        3 infers   84.7 /  88.1 /  93.0   8.6 KiB/cycle (5.6 after cycle 100); 5,000 cycles: +17.7 MiB, 3.6 KiB/cycle
 *   onnx-mlp-16m    0 infers  101.4 / 122.9 / 122.1 @300  no growth after cycle 100 (noise of one model, ~27 MiB)
 *   sklearn-forest  0 infers   95.2 / 101.6 / 103.2   8.2 KiB/cycle (1.8 after cycle 100)
 *   sklearn-forest  3 infers   97.4 /  99.6 / 108.2  11.0 KiB/cycle (9.7 after cycle 100)
 *   xgboost-json    0 infers   59.2 /  74.4 /  95.2  36.8 KiB/cycle, in steps, flat from cycle ~700; heapTotal 13.7 -> 38.2
 *   xgboost-json    3 infers   60.9 /  63.3 /  94.8  34.7 KiB/cycle, flat from cycle ~350
 *   xgboost-ubj     0 infers   59.8 /  99.2 / 105.0  46.3 KiB/cycle (6.6 after cycle 100), flat from cycle ~150
 *   xgboost-ubj     3 infers   58.8 /  98.8 / 102.7  45.0 KiB/cycle (4.4 after cycle 100)
 *   control --hold 100: onnx-mlp never unloaded +198.9 MiB in 100 cycles (2 MiB each), xgboost-ubj +80.9 MiB: unload
 *   does release (OnnxRuntime.unload -> InferenceSession.release()).
 *   With --preload libjemalloc.so.2 (3 infers): onnx-mlp +8.8 MiB (3.7 KiB/cycle after 100), sklearn-forest +12.7 MiB
 *   and flat after cycle 100 (and 3x faster to create), xgboost as with glibc (V8's heap, not malloc).
 * So: onnxruntime keeps ~4 KiB per session created and released, whatever the model's size: 1,000 cycles cost ~4-9 MiB,
 * under 2% of a 512 MiB budget; XGBoost's growth is V8 growing its heap for the parses' garbage (heapUsed+external stay
 * at 6.6 MiB), bounded (~35-45 MiB for 1 MB models), not a leak.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {onnxForest, onnxMlp, xgboostJson, xgboostUbj} from './model-files.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(HERE, '../..')
const DIST = path.join(ROOT, 'dist/runtimes/registry.js')
const MiB = 1024 * 1024

function settingsFor(folder, runtime) {
  return {name: path.basename(folder), implementation: runtime, platform: '', versions: [], inputs: [], outputs: [], maxBatchSize: 1, maxBatchTime: 0, extra: {}, source: path.join(folder, 'model-settings.json'), folder}
}

async function sample(cycle) {
  for (let i = 0; i < 2; i++) {
    globalThis.gc()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const {rss, heapTotal, heapUsed, external} = process.memoryUsage()
  return {cycle, rss, heapTotal, heapUsed, external}
}

/** The child: the cycles of one case; prints its samples as one JSON line. */
async function child([runtime, folder, cyclesText, everyText, infersText, deadlineText, holdText]) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
  const {createRuntime} = await import(pathToFileURL(DIST).href)
  const [cycles, every, infers, hold] = [cyclesText, everyText, infersText, holdText].map(Number)
  const deadline = Date.now() + Number(deadlineText) * 1000
  const held = []
  const cycle = async () => {
    const rt = createRuntime(settingsFor(folder, runtime))
    await rt.load()
    const input = rt.metadata().inputs[0]
    const width = input.shape[1]
    for (let i = 0; i < infers; i++) {
      await rt.predict({inputs: [{name: input.name, datatype: 'FP32', shape: [8, width], data: new Float32Array(8 * width).fill(0.1 * i)}]})
    }
    if (hold) held.push(rt)
    else await rt.unload()
  }
  await cycle() // warm-up: the library, the JIT
  if (hold) await held.pop()?.unload()
  const samples = [await sample(0)]
  const started = Date.now()
  let done = 0
  while (done < cycles && Date.now() < deadline) {
    await cycle()
    done++
    if (done % every === 0 || done === cycles) samples.push(await sample(done))
  }
  if (samples.at(-1).cycle !== done) samples.push(await sample(done))
  for (const rt of held) await rt.unload()
  process.stdout.write(JSON.stringify({samples, done, seconds: (Date.now() - started) / 1000}) + '\n')
}

const at = (samples, cycle) => samples.find((s) => s.cycle === cycle)
const mib = (n) => (n / MiB).toFixed(1)

async function main(argv) {
  const option = (name, fallback) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : fallback
  }
  const cycles = Number(option('cycles', '1000'))
  const every = Number(option('sample', '50'))
  const infers = option('infers', '0,3').split(',').map(Number)
  const deadline = Number(option('deadline', '240'))
  const preload = option('preload', undefined)
  const hold = Number(option('hold', '0'))
  const wanted = option('cases', 'onnx-mlp,sklearn-forest,xgboost-json,xgboost-ubj').split(',')
  const work = mkdtempSync(path.join(tmpdir(), 'mls-memory-cycles-'))
  const generated = (name, file, bytes) => {
    const folder = path.join(work, name)
    mkdirSync(folder, {recursive: true})
    writeFileSync(path.join(folder, file), bytes)
    return folder
  }
  const cases = {
    'onnx-mlp': () => ['onnx', path.join(ROOT, 'bench/models/mlp')],
    'onnx-mlp-16m': () => ['onnx', generated('mlp16', 'model.onnx', onnxMlp(16e6).bytes)],
    'sklearn-forest': () => ['sklearn', generated('forest', 'model.onnx', onnxForest(1e6).bytes)],
    'xgboost-json': () => ['xgboost', generated('json', 'model.json', xgboostJson(1e6).bytes)],
    'xgboost-ubj': () => ['xgboost', generated('ubj', 'model.ubj', xgboostUbj(1e6).bytes)],
  }
  const env = preload ? {...process.env, LD_PRELOAD: preload} : process.env
  const rows = []
  try {
    for (const name of wanted) {
      if (!cases[name]) throw new Error(`unknown case ${name}; known: ${Object.keys(cases).join(', ')}`)
      const [runtime, folder] = cases[name]()
      for (const n of hold ? [infers[0]] : infers) {
        const args = ['--expose-gc', fileURLToPath(import.meta.url), '--child', runtime, folder, String(hold || cycles), String(every), String(n), String(deadline), String(hold ? 1 : 0)]
        const result = spawnSync(process.execPath, args, {encoding: 'utf8', env, timeout: (deadline + 30) * 1000})
        if (result.status !== 0) throw new Error(`${name}: child failed (${result.status ?? result.signal}): ${result.stderr}`)
        const {samples, done, seconds} = JSON.parse(result.stdout.trim().split('\n').pop())
        rows.push({name, infers: n, samples, done, seconds})
        const start = samples[0]
        const c100 = at(samples, 100) ?? samples.at(-1)
        const end = samples.at(-1)
        const perCycle = (end.rss - start.rss) / Math.max(1, end.cycle)
        const after100 = end.cycle > c100.cycle ? (end.rss - c100.rss) / (end.cycle - c100.cycle) : NaN
        console.log(
          `${name} ${hold ? 'HOLD (never unloaded)' : `infers/cycle ${n}`}: ${done} cycles in ${seconds.toFixed(1)} s; rss MiB start ${mib(start.rss)}, ` +
            `@${c100.cycle} ${mib(c100.rss)}, @${end.cycle} ${mib(end.rss)}; growth ${mib(end.rss - start.rss)} MiB = ${(perCycle / 1024).toFixed(1)} KiB/cycle ` +
            `(${Number.isNaN(after100) ? '-' : (after100 / 1024).toFixed(1)} KiB/cycle after cycle ${c100.cycle}); heap+external MiB ${mib(start.heapUsed + start.external)} -> ${mib(end.heapUsed + end.external)}; ` +
            `V8 heap committed (heapTotal) MiB ${mib(start.heapTotal)} -> ${mib(end.heapTotal)}`,
        )
        console.log(`  rss MiB every ${every}: ${samples.map((s) => mib(s.rss)).join(' ')}`)
      }
    }
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
  if (argv.includes('--json')) process.stdout.write(JSON.stringify(rows) + '\n')
}

if (process.argv[2] === '--child') await child(process.argv.slice(3))
else await main(process.argv.slice(2))
