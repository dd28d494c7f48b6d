/**
 * The short soak of the suite: the server's peak, then 4 s of traffic at 80% of it (REST and gRPC, every answer
 * checked) while a model is unloaded and loaded 100 times. No errors; the server's RSS is reported and must grow by
 * less than 10%, with the server's old generation capped as `npm run soak` caps it (heapCapEnv: uncapped, RSS follows
 * the rate of garbage, not leaks). `npm run soak` runs the long one (60 s, 1,000 cycles).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {checkServing} from '../fuzz/checks.js'
import {fuzzRepository} from '../fuzz/corpus.js'
import {formatSoak, heapCapEnv, runSoak, SOAK_HEAP_MIB} from '../soak/run-soak.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

let server: MlsProcess
let repo: ReturnType<typeof fuzzRepository>
beforeAll(async () => {
  repo = fuzzRepository()
  server = await startMls(repo.dir, {env: heapCapEnv(SOAK_HEAP_MIB)})
})
afterAll(async () => {
  try {
    expect(await server?.stop()).toBe(0)
  } finally {
    repo?.cleanup()
  }
})

describe('soak', () => {
  it('4 s at 80% of peak with 100 unload/load cycles: 0 errors, RSS growth under 10%, serving correctly afterwards', async () => {
    const report = await runSoak({url: server.url, grpcAddress: server.grpcAddress, metricsUrl: server.metricsUrl!, seconds: 4, cycles: 100, peakSeconds: 2})
    console.log(formatSoak(report))
    expect(report.firstErrors).toEqual([])
    expect(report.errors).toBe(0)
    expect(report.cycles).toBe(100)
    expect(report.requests).toBeGreaterThan(100)
    expect(report.rssGrowth).toBeLessThan(0.1)
    expect(await checkServing(server.url, server.grpcAddress)).toEqual([])
  }, 120_000)
})
