#!/usr/bin/env node
/**
 * What a model costs in memory when mls loads it, per runtime kind and file size: the measurements behind
 * RUNTIME_MEMORY_FACTORS (src/memory/size-estimate.ts).
 *
 *   npm run build && node bench/tools/measure-model-memory.js [--sizes 10k,100k,1m,4m,16m,64m] [--kinds onnx,sklearn,xgboost,xgboost-ubj] [--json]
 *
 * For each kind and size it writes two models of that size (A and B, different contents) with model-files.js, then
 * runs a fresh `node --expose-gc` per model that, through mls's own runtimes (dist/runtimes/registry.js, as the server
 * makes them):
 *   warms up: loads and unloads a tiny model of the same kind (onnxruntime's library and environment, the JIT: costs
 *     of the process, paid once, not of a model; the "first" column shows them, from a process that did not warm up),
 *   s0: samples process.memoryUsage() after two GCs,   load A,             s1,
 *       runs 3 inferences (onnxruntime allocates on the first run),        s2,
 *       unloads A,                                     s3,   loads B,     s4.
 * Columns (KiB): rss and heapUsed+external deltas of the load (s1 - s0), after inferences (s2 - s0), what unload gave
 * back (s2 - s3), and B's load after A's unload (s4 - s3: glibc reusing A's freed pages). "gain" is measuredGain's
 * rule (max of rss and heap+external deltas) at s2; "ratio" is gain / file bytes. "base" is what one resident model
 * costs beyond its file: MANY copies of a ~1 KB model held at once, the gain divided by MANY. Then the fit per kind
 * "resident" is what a model holds while loaded beside others: HELD copies of a 1 MB model at once, the gain divided
 * by HELD (each copy reuses the previous one's parse leftovers): the floor a later measurement may not go below. The fit
 * (printed last): base rounded up, factor = the largest (gain - base) / file bytes over the files of 100 KB or more.
 * The repository's own models (REAL_MODELS) are measured too. Bounded: every child is killed after 120 s.
 */
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {GENERATORS} from './model-files.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const DIST = path.resolve(HERE, '../../dist/runtimes/registry.js')
const KiB = 1024
/** Copies of a tiny model held at once to measure the base cost of one resident model. */
const MANY = 50
/** Copies of a 1 MB model held at once to measure what a model holds while resident (the floor). */
const HELD = 10
/** Models of this repository measured too, beside the generated ones. */
const REAL_MODELS = [
  ['onnx', 'bench/models/mlp'],
  ['sklearn', 'examples/multi-model/models/mnist_sklearn'],
  ['xgboost', 'examples/multi-model/models/mushroom_xgboost'],
  ['xgboost-ubj', 'test/fixtures/models-xgboost/mushroom_ubj'],
]

function settingsFor(folder, runtime) {
  return {name: path.basename(folder), implementation: runtime, platform: '', versions: [], inputs: [], outputs: [], maxBatchSize: 1, maxBatchTime: 0, extra: {}, source: path.join(folder, 'model-settings.json'), folder}
}

async function sample() {
  for (let i = 0; i < 2; i++) {
    globalThis.gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const {rss, heapUsed, external, arrayBuffers} = process.memoryUsage()
  return {rss, heapUsed, external, arrayBuffers}
}

/** The child for the base: `count` copies of the model at `a` resident at once, after a warm-up; prints one JSON line. */
async function childMany([runtime, warm, a, count]) {
  const {createRuntime} = await import(pathToFileURL(DIST).href)
  const rt = createRuntime(settingsFor(warm, runtime))
  await rt.load()
  await rt.unload()
  const s0 = await sample()
  const all = []
  for (let i = 0; i < Number(count); i++) {
    const one = createRuntime(settingsFor(a, runtime))
    await one.load()
    all.push(one)
  }
  const s1 = await sample()
  for (const one of all) await one.unload()
  process.stdout.write(JSON.stringify({s0, s1}) + '\n')
}

/** The child: one measurement in a fresh process; prints one JSON line. */
async function child([runtime, warm, a, b]) {
  if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
  const {createRuntime} = await import(pathToFileURL(DIST).href)
  const make = (folder) => createRuntime(settingsFor(folder, runtime))
  const infer = async (rt) => {
    const input = rt.metadata().inputs[0]
    const w = input.shape[1]
    for (let i = 0; i < 3; i++) await rt.predict({inputs: [{name: input.name, datatype: 'FP32', shape: [4, w], data: new Float32Array(4 * w).fill(0.25 * i)}]})
  }
  if (warm !== '-') {
    const rt = make(warm)
    await rt.load()
    await infer(rt)
    await rt.unload()
  }
  const s0 = await sample()
  const ra = make(a)
  await ra.load()
  const s1 = await sample()
  await infer(ra)
  const s2 = await sample()
  await ra.unload()
  const s3 = await sample()
  const rb = make(b)
  await rb.load()
  await infer(rb)
  const s4 = await sample()
  await rb.unload()
  process.stdout.write(JSON.stringify({s0, s1, s2, s3, s4}) + '\n')
}

const parseSize = (text) => {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(text.trim())
  if (!m) throw new Error(`bad size ${text}`)
  return Math.round(Number(m[1]) * {'': 1, k: 1e3, m: 1e6, g: 1e9}[m[2].toLowerCase()])
}
const v8 = (s) => s.heapUsed + s.external
const delta = (after, before) => ({rss: after.rss - before.rss, v8: v8(after) - v8(before)})
const kib = (n) => Math.round(n / KiB)

function measure(...args) {
  const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...args], {encoding: 'utf8', timeout: 120_000})
  if (result.status !== 0) throw new Error(`child failed (${result.status ?? result.signal}): ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').pop())
}

async function main(argv) {
  const option = (name, fallback) => {
    const i = argv.indexOf(`--${name}`)
    return i >= 0 ? argv[i + 1] : fallback
  }
  const sizes = option('sizes', '10k,100k,1m,4m,16m,64m').split(',').map(parseSize)
  const kinds = option('kinds', Object.keys(GENERATORS).join(',')).split(',')
  const work = mkdtempSync(path.join(tmpdir(), 'mls-model-memory-'))
  const rows = []
  const bases = {}
  const resident = {}
  try {
    for (const kind of kinds) {
      const generator = GENERATORS[kind]
      if (!generator) throw new Error(`unknown kind ${kind}; known: ${Object.keys(GENERATORS).join(', ')}`)
      const write = (name, size, seed) => {
        const folder = path.join(work, `${kind}-${name}`)
        mkdirSync(folder, {recursive: true})
        writeFileSync(path.join(folder, generator.file), generator.make(size, {seed}).bytes)
        return {folder, bytes: statSync(path.join(folder, generator.file)).size}
      }
      const tiny = write('warm', 1, 99)
      // The base: what each resident model costs beyond its file, from MANY copies of a ~1 KB model held at once.
      const one = write('base', 1, 98)
      const many = measure('--many', generator.runtime, tiny.folder, one.folder, String(MANY))
      bases[kind] = {fileBytes: one.bytes, perModel: Math.max(0, delta(many.s1, many.s0).rss, delta(many.s1, many.s0).v8) / MANY}
      // What a model holds while resident, parse leftovers aside: HELD copies of a 1 MB model loaded at once.
      const mb = write('held', 1e6, 13)
      const held = measure('--many', generator.runtime, tiny.folder, mb.folder, String(HELD))
      resident[kind] = {fileBytes: mb.bytes, perModel: Math.max(0, delta(held.s1, held.s0).rss, delta(held.s1, held.s0).v8) / HELD}
      let first = true
      for (const size of sizes) {
        const a = write(`${size}-a`, size, 11)
        const b = write(`${size}-b`, size, 12)
        const s = measure('--child', generator.runtime, tiny.folder, a.folder, b.folder)
        // The first size once more, in a process that did not warm up: what the first model of a kind costs in all.
        const cold = first ? measure('--child', generator.runtime, '-', a.folder, b.folder) : undefined
        first = false
        const load = delta(s.s1, s.s0)
        const used = delta(s.s2, s.s0)
        const back = delta(s.s2, s.s3)
        const reload = delta(s.s4, s.s3)
        const gain = Math.max(0, used.rss, used.v8)
        rows.push({kind, runtime: generator.runtime, fileBytes: a.bytes, load, used, back, reload, gain, ratio: gain / a.bytes, cold: cold && Math.max(0, delta(cold.s2, cold.s0).rss, delta(cold.s2, cold.s0).v8)})
        rmSync(a.folder, {recursive: true})
        rmSync(b.folder, {recursive: true})
      }
    }
    // The real models of this repository, each loaded twice (A and B are the same files).
    for (const [kind, folder] of REAL_MODELS) {
      if (!kinds.includes(kind)) continue
      const generator = GENERATORS[kind]
      const dir = path.resolve(HERE, '../..', folder)
      const s = measure('--child', generator.runtime, path.join(work, `${kind}-warm`), dir, dir)
      const used = delta(s.s2, s.s0)
      const fileBytes = statSync(path.join(dir, generator.file)).size
      const gain = Math.max(0, used.rss, used.v8)
      rows.push({kind, name: path.basename(folder), fileBytes, load: delta(s.s1, s.s0), used, back: delta(s.s2, s.s3), reload: delta(s.s4, s.s3), gain, ratio: gain / fileBytes})
    }
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
    return
  }
  const header = ['kind', 'file KiB', 'load rss', 'load v8', 'used rss', 'used v8', 'back rss', 'back v8', 'B rss', 'B v8', 'gain', 'ratio', 'first']
  const lines = rows.map((r) => [
    r.name ? `${r.kind} ${r.name}` : r.kind,
    kib(r.fileBytes),
    kib(r.load.rss),
    kib(r.load.v8),
    kib(r.used.rss),
    kib(r.used.v8),
    kib(r.back.rss),
    kib(r.back.v8),
    kib(r.reload.rss),
    kib(r.reload.v8),
    kib(r.gain),
    r.ratio.toFixed(2),
    r.cold === undefined ? '' : kib(r.cold),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)))
  const fmt = (cells) => '| ' + cells.map((c, i) => String(c).padStart(widths[i])).join(' | ') + ' |'
  console.log(`memory per model load, KiB (node ${process.version}, ${process.platform}/${process.arch})`)
  console.log(fmt(header))
  console.log('|' + widths.map((w) => '-'.repeat(w + 1) + ':').join('|') + '|')
  for (const line of lines) console.log(fmt(line))
  console.log(`\nbase: one resident model of ~1 KB, from ${MANY} held at once (KiB each):`)
  for (const kind of kinds) console.log(`  ${kind}: ${(bases[kind].perModel / KiB).toFixed(1)} KiB for a ${bases[kind].fileBytes}-byte file`)
  console.log(`\nresident: one 1 MB model, from ${HELD} held at once (the floor: gain / file bytes):`)
  for (const kind of kinds) {
    const r = resident[kind]
    console.log(`  ${kind}: ${(r.perModel / KiB).toFixed(0)} KiB each for ${(r.fileBytes / KiB).toFixed(0)} KiB files: ${(r.perModel / r.fileBytes).toFixed(2)}`)
  }
  console.log('\nfit (estimate = ceil(file bytes x factor) + base; base = the per-model base above rounded up to 64 KiB;')
  console.log('factor = the largest (gain - base) / file bytes over the files of 100 KB or more, rounded up to 0.25; the gains')
  console.log('of smaller files are V8 heap and malloc growth in steps of 128 KiB to 2 MiB, noise, not the model):')
  for (const kind of kinds) {
    const mine = rows.filter((r) => r.kind === kind && r.fileBytes >= 100e3)
    const base = Math.ceil(bases[kind].perModel / (64 * KiB)) * 64 * KiB
    const factor = Math.ceil(Math.max(0, ...mine.map((r) => (r.gain - base) / r.fileBytes)) * 4) / 4
    console.log(`  ${kind}: factor ${factor}, base ${base / KiB} KiB`)
  }
}

if (process.argv[2] === '--child') await child(process.argv.slice(3))
else if (process.argv[2] === '--many') await childMany(process.argv.slice(3))
else await main(process.argv.slice(2))
