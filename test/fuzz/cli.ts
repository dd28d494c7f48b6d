/**
 * npm run fuzz -- [--seed S] [--count N] [--rest-share 0.6] [--concurrency 16] [--save]
 *
 * Starts the built server on the fuzz repository (ephemeral loopback ports), sends N mutated requests of seed S over
 * REST and gRPC, then checks that the server is live, ready and still answers correctly, and prints the outcome
 * counts and its RSS. Exit 1 when any answer was not well-formed or the server is unwell afterwards. --save adds the
 * failing cases to test/fixtures/fuzz-regressions.json, which the test suite replays.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {startMls} from '../e2e/helpers/mls-process.js'
import {checkServing, serverRss} from './checks.js'
import {fuzzRepository} from './corpus.js'
import {runFuzz, type RegressionCase} from './run-fuzz.js'

const REGRESSIONS = fileURLToPath(new URL('../fixtures/fuzz-regressions.json', import.meta.url))

const {values} = parseArgs({
  options: {
    seed: {type: 'string', default: String(Date.now() % 1_000_000)},
    count: {type: 'string', default: '100000'},
    'rest-share': {type: 'string', default: '0.6'},
    concurrency: {type: 'string', default: '16'},
    save: {type: 'boolean', default: false},
  },
})
const seed = Number(values.seed)
const count = Number(values.count)

const repo = fuzzRepository()
const server = await startMls(repo.dir)
let failed = false
try {
  const rssBefore = await serverRss(server.metricsUrl!)
  console.log(`fuzz: seed ${seed}, ${count} requests against ${server.url} and ${server.grpcAddress}`)
  const report = await runFuzz({url: server.url, grpcAddress: server.grpcAddress, seed, count, restShare: Number(values['rest-share']), concurrency: Number(values.concurrency)})
  const rssAfter = await serverRss(server.metricsUrl!)
  console.log(`sent ${report.sent.rest} REST + ${report.sent.grpc} gRPC requests in ${report.seconds.toFixed(1)} s (${Math.round((report.sent.rest + report.sent.grpc) / report.seconds)}/s); ${report.unencodable} gRPC cases could not be encoded and were skipped`)
  for (const [outcome, n] of Object.entries(report.outcomes).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(7)}  ${outcome}`)
  console.log(`server RSS: ${(rssBefore / 2 ** 20).toFixed(1)} MiB before, ${(rssAfter / 2 ** 20).toFixed(1)} MiB after`)
  const problems = await checkServing(server.url, server.grpcAddress)
  for (const problem of problems) console.log(`after the run: ${problem}`)
  if (server.child.exitCode !== null) problems.push(`the server exited with code ${server.child.exitCode}`)
  console.log(`${report.failures.length} answer(s) not well-formed`)
  for (const f of report.failures.slice(0, 20)) console.log(`  ${f.found}: ${f.reason}`)
  if (values.save && report.failures.length > 0) {
    const kept: RegressionCase[] = existsSync(REGRESSIONS) ? JSON.parse(readFileSync(REGRESSIONS, 'utf8')) : []
    writeFileSync(REGRESSIONS, JSON.stringify([...kept, ...report.failures], null, 2) + '\n')
    console.log(`saved ${report.failures.length} case(s) to ${REGRESSIONS}`)
  }
  failed = report.failures.length > 0 || problems.length > 0
} finally {
  await server.stop()
  repo.cleanup()
}
process.exit(failed ? 1 : 0)
