// Compares two results files of bench/run.js, e.g. two commits measured on the same machine:
//   node bench/compare.js bench/results/<older>.json bench/results/latest.json
// Per load scenario and side: req/s and p50 (median across rounds) before -> after and the change; the side/baseline
// ratio before -> after. Per start-up scenario: ready time and RSS. It says when the runs differ in flags or machine,
// which makes the comparison weaker.
import {readFileSync} from 'node:fs'

const [oldFile, newFile] = process.argv.slice(2)
if (!oldFile || !newFile) {
  console.error('usage: node bench/compare.js OLD.json NEW.json   (files written by bench/run.js into bench/results/)')
  process.exit(1)
}
const read = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    console.error(`bench/compare.js: cannot read ${file}: ${error.message}`)
    process.exit(1)
  }
}
const before = read(oldFile)
const after = read(newFile)

const describe = (r) => `${r.git?.short ?? r.git?.commit ?? '?'}${r.git?.dirty ? ' (dirty)' : ''} ${r.date}${r.git?.subject ? `  "${r.git.subject}"` : ''}`
console.log(`before: ${describe(before)}\nafter:  ${describe(after)}`)
for (const key of ['rounds', 'duration', 'warmup', 'connections', 'streams', 'largeConnections', 'mlpConnections']) {
  if (before.config?.[key] !== after.config?.[key]) console.log(`note: --${key} differs (${before.config?.[key]} -> ${after.config?.[key]})`)
}
if (before.machine?.cpu !== after.machine?.cpu || before.machine?.cpus !== after.machine?.cpus) console.log('note: measured on different machines')
if (!before.valid || !after.valid) console.log('note: at least one run is INVALID (some requests failed)')

const change = (a, b) => (typeof a === 'number' && typeof b === 'number' && a !== 0 ? `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)}%` : '')
const num = (x, digits = 0) => (typeof x === 'number' ? x.toFixed(digits) : '-')
const rows = [['scenario', 'side', 'req/s before', 'req/s after', 'change', 'p50 ms before', 'p50 ms after', 'ratio before', 'ratio after']]
const byId = (list) => new Map((list ?? []).map((s) => [s.id, s]))
const oldScenarios = byId(before.scenarios)
for (const scenario of after.scenarios ?? []) {
  const old = oldScenarios.get(scenario.id)
  if (!old) {
    rows.push([scenario.id, '(new)', '', '', '', '', '', '', ''])
    continue
  }
  for (const role of ['baseline', 'mls']) {
    const a = old.summary[role]
    const b = scenario.summary[role]
    const ratio = (s) => (role === 'mls' ? num(s.ratio?.rps, 2) : '')
    rows.push([scenario.id, scenario.labels?.[role] ?? role, num(a.rps), num(b.rps), change(a.rps, b.rps), num(a.p50, 2), num(b.p50, 2), ratio(a), ratio(b)])
  }
}
const newIds = new Set((after.scenarios ?? []).map((s) => s.id))
for (const old of before.scenarios ?? []) if (!newIds.has(old.id)) rows.push([old.id, '(not in after)', '', '', '', '', '', '', ''])
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
console.log()
for (const r of rows) console.log(r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))

const oldStarts = byId(before.startup)
for (const start of after.startup ?? []) {
  const old = oldStarts.get(start.id)
  if (!old) continue
  const pick = (s) => (s.id === 'scale100' ? {...s.summary.hundred, perModelMiB: s.summary.perModelMiB} : s.summary)
  const [a, b] = [pick(old), pick(start)]
  const parts = [`ready ${num(a.readyMs)} -> ${num(b.readyMs)} ms (${change(a.readyMs, b.readyMs)})`, `RSS ${num(a.rssMiB, 1)} -> ${num(b.rssMiB, 1)} MiB`]
  if (b.perModelMiB !== undefined) parts.push(`per model ${num(a.perModelMiB, 2)} -> ${num(b.perModelMiB, 2)} MiB`)
  console.log(`${start.id}: ${parts.join(', ')}`)
}
