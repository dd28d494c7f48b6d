// Medians across rounds, ratios to the baseline, and the console table.
import {median} from './util.js'

// p50/p99 only where the load generator reports them (wrk, not h2load); cpuUs (server CPU per request) where a side records it
const METRICS = ['rps', 'mean', 'p50', 'p99', 'cpuUs']

/** rounds: {baseline: [result…], mls: [result…]} -> {baseline: {rps, mean, p50, p99, valid, ratio}, mls: {…}} */
export function summarize(rounds) {
  const summary = {}
  for (const [role, results] of Object.entries(rounds)) {
    summary[role] = {valid: results.every((r) => r.valid)}
    for (const metric of METRICS) {
      summary[role][metric] = results.every((r) => typeof r[metric] === 'number') ? median(results.map((r) => r[metric])) : null
    }
  }
  for (const s of Object.values(summary)) {
    s.ratio = Object.fromEntries(METRICS.filter((m) => s[m] !== null).map((m) => [m, s[m] / summary.baseline[m]]))
  }
  return summary
}

const ms = (value) => (value === null ? '-' : value.toFixed(2))

export function printTable(scenarios, rounds) {
  const table = [['scenario', 'server', 'conns', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'req/s vs baseline', 'target', 'met', 'valid']]
  for (const scenario of scenarios) {
    for (const [role, s] of Object.entries(scenario.summary)) {
      const targeted = role === 'mls' && scenario.target
      const target = targeted ? [`>= ${scenario.target.ratio.toFixed(2)}`, scenario.met ? 'yes' : 'NO'] : ['', '']
      // against a target, truncate rather than round, so that 1.996 shows as 1.99 beside "NO", not 2.00
      const ratio = targeted ? (Math.floor(s.ratio.rps * 100) / 100).toFixed(2) : s.ratio.rps.toFixed(2)
      table.push([scenario.name, scenario.labels[role], String(scenario.connections), s.rps.toFixed(0), ms(s.mean), ms(s.p50), ms(s.p99), ratio, ...target, s.valid ? 'yes' : 'NO'])
    }
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)))
  console.log(`\nmedian of ${rounds} round(s) (REST: wrk latency; gRPC: h2load, which reports the mean only):`)
  for (const r of table) console.log(r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
  for (const {name, labels, summary} of scenarios.filter((s) => s.summary.mls.cpuUs !== null && s.summary.baseline.cpuUs !== null)) {
    console.log(`${name}: server CPU per request ${summary.baseline.cpuUs.toFixed(1)} us (${labels.baseline}), ${summary.mls.cpuUs.toFixed(1)} us (${labels.mls}): ${summary.mls.ratio.cpuUs.toFixed(3)}x`)
  }
}
