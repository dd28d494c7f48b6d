/**
 * `npm run coverage`: the suite with coverage of src/, counting the servers the e2e tests spawn too.
 *
 * In-process code is measured by vitest's v8 provider (coverage/in-process). Every process the tests spawn (`bin/run.js`,
 * its cluster workers and worker threads) inherits NODE_V8_COVERAGE and writes its V8 coverage there at exit; those
 * dumps cover dist/, which is mapped back to src/ through tsc's source maps. Both are merged into one report of src/.
 * Arguments are passed to vitest (e.g. a file filter). Needs `npm run build` first (the npm script does it).
 */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import astV8ToIstanbul from 'ast-v8-to-istanbul'
import libCoverage from 'istanbul-lib-coverage'
import libReport from 'istanbul-lib-report'
import reports from 'istanbul-reports'
import {parseAstAsync} from 'vitest/node'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const OUT = path.join(ROOT, 'coverage')
const DUMPS = path.join(OUT, 'processes')
const DIST_URL = pathToFileURL(path.join(ROOT, 'dist')).href + '/'
const SRC = path.join(ROOT, 'src') + path.sep

rmSync(OUT, {recursive: true, force: true})
mkdirSync(DUMPS, {recursive: true})
const vitest = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--coverage', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  // Absolute: spawned CLIs run in other working folders too.
  env: {...process.env, NODE_V8_COVERAGE: DUMPS},
})

/** The dist/ scripts' V8 coverage from every dump, identical results kept once (only hit or not matters for the report). */
function processCoverage() {
  const byUrl = new Map()
  let unreadable = 0
  for (const name of readdirSync(DUMPS)) {
    if (!name.endsWith('.json')) continue
    let dump
    try {
      dump = JSON.parse(readFileSync(path.join(DUMPS, name), 'utf8'))
    } catch {
      // A process killed while writing (SIGKILL after a test's timeout) leaves a cut file: counted, not read.
      unreadable++
      continue
    }
    for (const script of dump.result) {
      if (!script.url.startsWith(DIST_URL) || !script.url.endsWith('.js')) continue
      const seen = byUrl.get(script.url) ?? new Map()
      byUrl.set(script.url, seen)
      seen.set(JSON.stringify(script.functions), script.functions)
    }
  }
  if (unreadable > 0) console.log(`${unreadable} process coverage file(s) could not be read and were left out`)
  return byUrl
}

async function toIstanbul(byUrl) {
  const map = libCoverage.createCoverageMap({})
  for (const [url, variants] of byUrl) {
    const file = fileURLToPath(url)
    if (!existsSync(file + '.map')) continue
    const code = readFileSync(file, 'utf8')
    const sourceMap = JSON.parse(readFileSync(file + '.map', 'utf8'))
    const ast = await parseAstAsync(code)
    for (const functions of variants.values()) map.merge(await astV8ToIstanbul({code, sourceMap, ast, coverage: {url, functions}}))
  }
  return map
}

/** Only src/ (tsc maps dist/ back there); what the maps name elsewhere is left out. */
function onlySrc(map) {
  map.filter((file) => file.startsWith(SRC))
  return map
}

/** A file's structure: its statement count, function names and branch kinds, in order. */
function shape(data) {
  return [Object.keys(data.statementMap).length, Object.values(data.fnMap).map((f) => f.name).join(), Object.values(data.branchMap).map((b) => b.type + b.locations.length).join()].join('|')
}

/**
 * One map of both. Vitest's transform and tsc map the same source to slightly different end columns, so istanbul's own
 * merge (by location) would count most statements twice. The two transpile the same TypeScript into the same structure,
 * so when a file's shape is the same in both, hits are added index by index on the in-process locations; otherwise
 * (never seen so far, counted in the output) istanbul's merge by location is used.
 */
function mergeMaps(inProcess, spawned) {
  // A deep copy: a map made from another shares its file objects, and the hits are added in place below.
  const merged = libCoverage.createCoverageMap(JSON.parse(JSON.stringify(inProcess.toJSON())))
  let byLocation = 0
  for (const file of spawned.files()) {
    const other = spawned.fileCoverageFor(file).toJSON()
    if (!merged.data[file]) {
      merged.addFileCoverage(other)
      continue
    }
    const mine = merged.fileCoverageFor(file).data
    if (shape(mine) !== shape(other)) {
      byLocation++
      merged.fileCoverageFor(file).merge(other)
      continue
    }
    for (const k of Object.keys(mine.s)) mine.s[k] += other.s[k]
    for (const k of Object.keys(mine.f)) mine.f[k] += other.f[k]
    for (const k of Object.keys(mine.b)) mine.b[k] = mine.b[k].map((hits, i) => hits + other.b[k][i])
  }
  return {merged, byLocation}
}

function report(map, dir, kinds) {
  const context = libReport.createContext({dir, coverageMap: map, defaultSummarizer: 'flat'})
  for (const kind of kinds) reports.create(kind, kind === 'json-summary' ? {file: 'coverage-summary.json'} : {}).execute(context)
}

function percentages(map) {
  const s = map.getCoverageSummary()
  return `lines ${s.lines.pct}% (${s.lines.covered}/${s.lines.total}), branches ${s.branches.pct}% (${s.branches.covered}/${s.branches.total}), functions ${s.functions.pct}% (${s.functions.covered}/${s.functions.total})`
}

const spawned = onlySrc(await toIstanbul(processCoverage()))
const inProcessFile = path.join(OUT, 'in-process', 'coverage-final.json')
const inProcess = onlySrc(libCoverage.createCoverageMap(existsSync(inProcessFile) ? JSON.parse(readFileSync(inProcessFile, 'utf8')) : {}))
writeFileSync(path.join(OUT, 'processes-final.json'), JSON.stringify(spawned.toJSON()))
const {merged, byLocation} = mergeMaps(inProcess, spawned)
report(merged, path.join(OUT, 'merged'), ['json-summary', 'json', 'html'])
rmSync(DUMPS, {recursive: true, force: true}) // hundreds of MB of raw dumps; the reports keep what they said
console.log(`\ncoverage of src/, in-process tests:  ${percentages(inProcess)}`)
console.log(`coverage of src/, spawned processes: ${percentages(spawned)}`)
console.log(`coverage of src/, merged:            ${percentages(merged)}  (report: coverage/merged/index.html${byLocation ? `; ${byLocation} file(s) merged by location` : ''})`)
process.exit(vitest.status ?? 1)
