/**
 * The tree watcher of `mls start --watch`, A/B: chokidar (src/watch/tree-watcher.ts) against mls's former watcher,
 * one fs.watch per folder (bench/baseline/fs-watch-tree.ts), on a development tree of 100 models (a tenth with two
 * version folders) beside a node_modules of 200 packages and a .git of 300 files. Each side runs in its own process.
 *
 *   npx tsx bench/watch-tree.ts              # both sides, 3 runs each, alternating; prints a table (medians)
 *   node --expose-gc --import tsx bench/watch-tree.ts --side chokidar   # one run of one side, JSON
 *
 * Per run: time to ready, inotify watches held, heap and RSS held by the watcher, latency from a write to its event
 * (p50/p99 over 200 sequential writes, and over 20 new model folders), CPU for a burst of 1000 writes, and the time
 * until a folder of 10 models moved in whole is reported (every model-settings.json in it).
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readlinkSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

type Side = 'chokidar' | 'fs-watch'
const MODELS = 100

interface Watcher {
  start(): unknown
  readonly ready?: Promise<void>
  close(): unknown
}

function makeTree(root: string): void {
  const write = (relative: string, content: string) => {
    mkdirSync(path.dirname(path.join(root, relative)), {recursive: true})
    writeFileSync(path.join(root, relative), content)
  }
  for (let i = 0; i < MODELS; i++) {
    const name = `m${i}`
    const folders = i % 10 === 0 ? [`${name}/v1`, `${name}/v2`] : [name]
    for (const folder of folders) {
      write(`models/${folder}/model-settings.json`, JSON.stringify({name}))
      write(`models/${folder}/model.onnx`, 'x'.repeat(1024))
      write(`models/${folder}/test-set.json`, '{}')
      write(`models/${folder}/README.md`, '# model')
    }
  }
  for (let p = 0; p < 200; p++) for (let f = 0; f < 5; f++) write(`node_modules/pkg${p}/lib/f${f}.js`, '')
  for (let f = 0; f < 300; f++) write(`.git/objects/${f % 30}/${f}`, '')
}

/** inotify watches held by this process (Linux): one line per watch in the inotify descriptors' fdinfo. */
function inotifyWatches(): number {
  let count = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify') continue
      count += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length
    } catch {
      // The descriptor closed while we looked (readdir's own): not an inotify one.
    }
  }
  return count
}

const gc = () => (globalThis as {gc?: () => void}).gc?.()
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]
const round = (n: number) => Math.round(n * 100) / 100

async function runSide(side: Side): Promise<Record<string, number>> {
  const base = mkdtempSync(path.join(tmpdir(), 'mls-bench-watch-'))
  try {
    const root = path.join(base, 'repo')
    makeTree(root)
    const {isIgnoredName} = await import('../src/watch/ignore.js')
    const waiting = new Map<string, () => void>()
    let events = 0
    const onPath = (changed: string) => {
      events++
      waiting.get(changed)?.()
    }
    const options = {ignored: isIgnoredName, onPath, onError: (error: Error) => console.error(error)}
    const seen = (file: string) => new Promise<void>((resolve) => waiting.set(file, resolve))
    const bounded = (promise: Promise<void>, what: string) =>
      Promise.race([promise, new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`${side}: no event for ${what} in 5 s`)), 5000).unref())])

    // The module is imported first and timed apart: chokidar brings readdirp; the former watcher only node:fs.
    const tImport = performance.now()
    const {TreeWatcher} = side === 'chokidar' ? await import('../src/watch/tree-watcher.js') : await import('./baseline/fs-watch-tree.js')
    const importMs = performance.now() - tImport
    gc()
    const heap0 = process.memoryUsage().heapUsed
    const rss0 = process.memoryUsage().rss
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const watcher: Watcher = new TreeWatcher(root, options)
    watcher.start()
    await watcher.ready
    const readyMs = performance.now() - t0
    const startCpu = process.cpuUsage(cpu0)
    gc()
    const result: Record<string, number> = {
      import_ms: round(importMs),
      ready_ms: round(readyMs),
      start_cpu_ms: round((startCpu.user + startCpu.system) / 1000),
      inotify_watches: inotifyWatches(),
      heap_kib: Math.round((process.memoryUsage().heapUsed - heap0) / 1024),
      rss_kib: Math.round((process.memoryUsage().rss - rss0) / 1024),
    }

    const latencies: number[] = []
    for (let i = 0; i < 200; i++) {
      const folder = i % 10 === 0 ? `m${i % MODELS}/v1` : `m${i % MODELS}`
      const file = path.join(root, 'models', folder, 'model.onnx')
      const event = seen(file)
      const t = performance.now()
      writeFileSync(file, `write ${i}`)
      await bounded(event, file)
      latencies.push(performance.now() - t)
    }
    result.write_p50_ms = round(percentile(latencies, 50))
    result.write_p99_ms = round(percentile(latencies, 99))

    const newFolder: number[] = []
    for (let i = 0; i < 20; i++) {
      const file = path.join(root, 'models', `new${i}`, 'model-settings.json')
      const event = seen(file)
      const t = performance.now()
      mkdirSync(path.dirname(file))
      writeFileSync(file, JSON.stringify({name: `new${i}`}))
      await bounded(event, file)
      newFolder.push(performance.now() - t)
    }
    result.new_folder_p50_ms = round(percentile(newFolder, 50))
    result.new_folder_p99_ms = round(percentile(newFolder, 99))

    // A burst: every model file written 10 times as fast as we can; CPU until the last write of each is seen.
    const last = [...Array(MODELS).keys()].map((i) => path.join(root, 'models', i % 10 === 0 ? `m${i}/v1` : `m${i}`, 'model.onnx'))
    const cpu1 = process.cpuUsage()
    const events0 = events
    for (let round = 0; round < 9; round++) for (const file of last) writeFileSync(file, `burst ${round}`)
    const lastSeen = Promise.all(last.map((file) => bounded(seen(file), file)))
    for (const file of last) writeFileSync(file, 'burst last')
    await lastSeen
    await new Promise((resolve) => setTimeout(resolve, 300))
    const burstCpu = process.cpuUsage(cpu1)
    result.burst_cpu_ms = round((burstCpu.user + burstCpu.system) / 1000)
    result.burst_events = events - events0

    // A folder of 10 models moved in whole.
    const outside = path.join(base, 'outside', 'batch')
    for (let i = 0; i < 10; i++) {
      mkdirSync(path.join(outside, `b${i}`), {recursive: true})
      writeFileSync(path.join(outside, `b${i}`, 'model-settings.json'), JSON.stringify({name: `b${i}`}))
    }
    const moved = Promise.all([...Array(10).keys()].map((i) => bounded(seen(path.join(root, 'models', 'batch', `b${i}`, 'model-settings.json')), `batch b${i}`)))
    const t = performance.now()
    renameSync(outside, path.join(root, 'models', 'batch'))
    await moved
    result.move_in_ms = round(performance.now() - t)
    await watcher.close()
    return result
  } finally {
    rmSync(base, {recursive: true, force: true})
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const sideAt = args.indexOf('--side')
  if (sideAt >= 0) {
    // The watchers do not keep the process alive (as in the server, where the listeners do): this does.
    const alive = setInterval(() => {}, 1000)
    console.log(JSON.stringify(await runSide(args[sideAt + 1] as Side)))
    clearInterval(alive)
    return
  }
  const runs = Number(args[args.indexOf('--runs') + 1] || 3)
  const self = fileURLToPath(import.meta.url)
  const results: Record<Side, Array<Record<string, number>>> = {chokidar: [], 'fs-watch': []}
  for (let r = 0; r < runs; r++) {
    for (const side of ['fs-watch', 'chokidar'] as const) {
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--side', side], {encoding: 'utf8'})
      results[side].push(JSON.parse(out.trim().split('\n').at(-1)!))
    }
  }
  const keys = Object.keys(results.chokidar[0])
  const median = (side: Side, key: string) => percentile(results[side].map((r) => r[key]), 50)
  console.log(`| measure (median of ${runs}) | fs.watch per folder (former) | chokidar 4 |`)
  console.log('|---|---|---|')
  for (const key of keys) console.log(`| ${key} | ${median('fs-watch', key)} | ${median('chokidar', key)} |`)
}

await main()
