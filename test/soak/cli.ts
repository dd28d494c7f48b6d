/**
 * npm run soak -- [--seconds 60] [--cycles 1000] [--load 0.8] [--heap-mib 192]
 *
 * Starts the built server on the fuzz repository (ephemeral loopback ports), finds its peak, then sends traffic at
 * `load` x peak for `seconds` while one model is unloaded and loaded `cycles` times. Exit 1 when any request failed or
 * the server's RSS grew by 10% or more.
 *
 * The server's old generation is capped (--max-old-space-size, 192 MiB by default; why: heapCapEnv in run-soak.ts).
 */
import {parseArgs} from 'node:util'
import {startMls} from '../e2e/helpers/mls-process.js'
import {checkServing} from '../fuzz/checks.js'
import {fuzzRepository} from '../fuzz/corpus.js'
import {formatSoak, heapCapEnv, runSoak, SOAK_HEAP_MIB} from './run-soak.js'

const {values} = parseArgs({options: {seconds: {type: 'string', default: '60'}, cycles: {type: 'string', default: '1000'}, load: {type: 'string', default: '0.8'}, 'heap-mib': {type: 'string', default: String(SOAK_HEAP_MIB)}}})
const repo = fuzzRepository()
const server = await startMls(repo.dir, {env: heapCapEnv(Number(values['heap-mib']))})
let failed = true
try {
  console.log(`soak: ${values.seconds} s at ${values.load} x peak and ${values.cycles} unload/load cycles against ${server.url} (old space capped at ${values['heap-mib']} MiB)`)
  const report = await runSoak({url: server.url, grpcAddress: server.grpcAddress, metricsUrl: server.metricsUrl!, seconds: Number(values.seconds), cycles: Number(values.cycles), load: Number(values.load)})
  console.log(formatSoak(report))
  const problems = await checkServing(server.url, server.grpcAddress)
  for (const problem of problems) console.log(`after the run: ${problem}`)
  failed = report.errors > 0 || report.rssGrowth >= 0.1 || problems.length > 0
  console.log(failed ? 'FAILED' : 'passed: 0 errors, RSS growth under 10%')
} finally {
  await server.stop()
  repo.cleanup()
}
process.exit(failed ? 1 : 0)
