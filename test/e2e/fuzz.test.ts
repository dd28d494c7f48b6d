/**
 * The seeded fuzz run of the suite: 10,000 mutated V2 requests (about 60% REST, 40% gRPC) made from valid ones for 17
 * models (ONNX, XGBoost JSON and UBJSON, one identity model per datatype), structural and byte-level mutations; every
 * answer must be well-formed (test/fuzz/oracle.ts), the server must stay live and ready and still answer every seed
 * correctly. Then every case in test/fixtures/fuzz-regressions.json (failures found earlier, since fixed) is replayed.
 * `npm run fuzz -- --seed S --count N` runs longer ones.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {checkServing, serverRss} from '../fuzz/checks.js'
import {fuzzRepository} from '../fuzz/corpus.js'
import {closeClients, openClients, replay, runFuzz, type RegressionCase} from '../fuzz/run-fuzz.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const SEED = 20261125
const COUNT = 10_000
const REGRESSIONS = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/fuzz-regressions.json', import.meta.url)), 'utf8')) as RegressionCase[]

let server: MlsProcess
let repo: ReturnType<typeof fuzzRepository>
beforeAll(async () => {
  repo = fuzzRepository()
  server = await startMls(repo.dir)
})
afterAll(async () => {
  try {
    expect(await server?.stop()).toBe(0)
  } finally {
    repo?.cleanup()
  }
})

describe('fuzzing', () => {
  it(`${COUNT} mutated requests of seed ${SEED}: every answer well-formed, none 5xx, the server serves correctly afterwards`, async () => {
    const rssBefore = await serverRss(server.metricsUrl!)
    const report = await runFuzz({url: server.url, grpcAddress: server.grpcAddress, seed: SEED, count: COUNT})
    const rssAfter = await serverRss(server.metricsUrl!)
    console.log(
      `fuzz seed ${SEED}: ${report.sent.rest} REST + ${report.sent.grpc} gRPC in ${report.seconds.toFixed(1)} s; ` +
        `${Object.keys(report.outcomes).length} kinds of answer; server RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
    )
    expect(report.sent.rest + report.sent.grpc).toBe(COUNT)
    expect(report.failures.map((f) => `${f.found}: ${f.reason}`)).toEqual([])
    // The mix is broad: successes and refusals on both transports.
    expect(report.outcomes['rest 200']).toBeGreaterThan(100)
    expect(report.outcomes['grpc OK']).toBeGreaterThan(100)
    expect(Object.keys(report.outcomes).filter((o) => o.startsWith('rest 4')).length).toBeGreaterThan(8)
    expect(Object.keys(report.outcomes).filter((o) => o.startsWith('grpc ') && o !== 'grpc OK').length).toBeGreaterThan(6)
    expect(await checkServing(server.url, server.grpcAddress)).toEqual([])
    expect(server.child.exitCode).toBeNull()
  }, 180_000)

  it(`replays the ${REGRESSIONS.length} failures kept in test/fixtures/fuzz-regressions.json: each answered well-formed now`, async () => {
    expect(REGRESSIONS.length).toBeGreaterThan(0)
    const clients = openClients(server.url, server.grpcAddress)
    try {
      for (const c of REGRESSIONS) expect(await replay(clients, c), c.found).toBeUndefined()
    } finally {
      await closeClients(clients)
    }
    expect(await checkServing(server.url, server.grpcAddress)).toEqual([])
  })
})
