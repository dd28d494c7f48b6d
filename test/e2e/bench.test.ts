/**
 * `mls bench` as a user runs it (spawned bin/run.js) against a server started by the test: REST JSON, REST binary
 * (checked on the wire through a recording proxy), gRPC, random data, failures and errors. Short levels: these check
 * what is measured and reported, never how fast.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, makeRepo, readTestSet} from './helpers/fixtures.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'

let server: MlsProcess
const cleanups: Array<() => void> = []

beforeAll(async () => {
  server = await startMls(EXAMPLE)
})
afterAll(async () => {
  await server.stop()
  cleanups.forEach((c) => c())
})

interface Level {
  concurrency: number
  requests: number
  errors: number
  first_error?: string
  duration_ms: number
  requests_per_second: number
  rows_per_second: number
  latency_ms: {p50: number; p90: number; p99: number; mean: number; max: number} | null
}

function expectHealthy(level: Level) {
  expect(level.errors).toBe(0)
  expect(level.first_error).toBeUndefined()
  expect(level.requests).toBeGreaterThan(0)
  expect(level.requests_per_second).toBeGreaterThan(0)
  const latency = level.latency_ms!
  expect(latency.p50).toBeGreaterThan(0)
  expect(latency.p50).toBeLessThanOrEqual(latency.p90)
  expect(latency.p90).toBeLessThanOrEqual(latency.p99)
  expect(latency.p99).toBeLessThanOrEqual(latency.max)
}

const short = ['--duration', '0.5', '--warmup', '0.2']

describe('mls bench', () => {
  it('REST JSON, two levels from the test set: --json has every level, zero errors', async () => {
    const {code, stdout, stderr} = await runMls(['bench', '-m', 'mnist_sklearn', '-v', 'v1.0.0', '--repo', EXAMPLE, '--url', server.url, '-c', '1,2', ...short, '--json'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({
      model: 'mnist_sklearn',
      version: 'v1.0.0',
      transport: 'rest',
      target: server.url,
      binary: false,
      batch_size: 1,
      data: {source: 'test-set', file: path.join(MNIST_DIR, 'test-set.json'), requests: 899},
      duration_seconds: 0.5,
      warmup_seconds: 0.2,
      errors: 0,
    })
    expect(report.levels.map((l: Level) => l.concurrency)).toEqual([1, 2])
    report.levels.forEach(expectHealthy)
    expect(report.requests).toBe(report.levels[0].requests + report.levels[1].requests)
  })

  it('--binary over REST sends the binary tensor data extension and reads binary answers (seen on the wire)', async () => {
    const seen: Array<{type?: string; answer?: string}> = []
    const proxy = await recordingProxy(server.url, seen)
    try {
      const {code, stdout} = await runMls(['bench', '-m', 'mnist_sklearn', '--repo', EXAMPLE, '--url', proxy.url, '--binary', '-b', '4', '-n', '30', '--warmup', '0'])
      expect(code).toBe(0)
      expect(stdout).toMatch(/over REST at http:\/\/127\.0\.0\.1:\d+ \(binary tensor data\), batch size 4/)
      expect(stdout).toMatch(/^CONCURRENCY +REQUESTS +REQ\/S +ROWS\/S +P50 MS +P90 MS +P99 MS +ERRORS +FIRST ERROR$/m)
      const row = /^1 +30 +([\d.]+) +([\d.]+) +[\d.]+ +[\d.]+ +[\d.]+ +0$/m.exec(stdout)
      expect(row).not.toBeNull()
      expect(Number(row![1])).toBeGreaterThan(0)
      expect(Number(row![2])).toBeCloseTo(Number(row![1]) * 4, 0)
      const infers = seen.filter((s) => s.type !== undefined)
      expect(infers).toHaveLength(31) // the check request, then 30 measured
      expect(infers.every((s) => s.type === 'application/octet-stream' && s.answer === 'application/octet-stream')).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it.each([[[]], [['--binary']]])('gRPC %j: mushroom_xgboost in batches of 8, --requests per level', async (extra) => {
    const {code, stdout} = await runMls(['bench', '-m', 'mushroom_xgboost', '--repo', EXAMPLE, '--grpc', '--grpc-url', server.grpcAddress, '-b', '8', '-n', '40', '-c', '2', '--warmup', '0', '--json', ...extra])
    expect(code).toBe(0)
    const report = JSON.parse(stdout)
    expect(report).toMatchObject({transport: 'grpc', target: server.grpcAddress, version: 'v2.0.0', binary: extra.length > 0, batch_size: 8, requests_per_level: 40, errors: 0, requests: 40})
    expect(report.duration_seconds).toBeUndefined()
    expect(report.levels).toHaveLength(1)
    expectHealthy(report.levels[0])
    expect(report.levels[0].rows_per_second).toBeCloseTo(report.levels[0].requests_per_second * 8, 0)
  })

  it('without a test set (or with --random): random data from the metadata, -1 dimensions as the batch size', async () => {
    const repo = makeRepo({}) // an empty folder: no model-settings.json, so no test set
    cleanups.push(repo.cleanup)
    const {code, stdout} = await runMls(['bench', '-m', 'mnist_sklearn', '--url', server.url, '-b', '3', ...short], {}, {cwd: repo.dir})
    expect(code).toBe(0)
    expect(stdout).toMatch(/data: random data from the model's metadata \(no model-settings\.json below .* names model "mnist_sklearn"\)/)
    const random = await runMls(['bench', '-m', 'mnist_sklearn', '--repo', EXAMPLE, '--url', server.url, '--random', '-b', '3', '-n', '10', '--warmup', '0', '--json'])
    expect(random.code).toBe(0)
    expect(JSON.parse(random.stdout)).toMatchObject({data: {source: 'random', why: '--random', requests: 1}, errors: 0, requests: 10})
    const shaped = await runMls(['bench', '-m', 'mnist_sklearn', '--repo', EXAMPLE, '--url', server.url, '--random', '--shape', 'input:5,64', '-n', '5', '--warmup', '0', '--json'])
    expect(shaped.code).toBe(0)
    expect(JSON.parse(shaped.stdout)).toMatchObject({errors: 0, requests: 5})
    const ignored = await runMls(['bench', '-m', 'mnist_sklearn', '--repo', EXAMPLE, '--url', server.url, '--shape', 'input:5,64', '-n', '5', '--warmup', '0'])
    expect(ignored.code).toBe(0)
    expect(ignored.stderr).toMatch(/--shape applies to random data only; the requests come from .*test-set\.json \(add --random to use --shape\)/)
  })

  it('failed requests: counted per level with the first error, exit 1 saying so', async () => {
    // Row 1 holds a fraction under datatype INT32: the server refuses it (400), row 0 is fine.
    const set = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
    const rows = set.request.inputs[0].data.slice(0, 128).map((v, i) => (i === 70 ? 0.5 : v))
    const repo = makeRepo({'half-bad.json': JSON.stringify({request: {inputs: [{name: 'predict', shape: [2, 64], datatype: 'INT32', data: rows}]}, expected: {predict: [8, 8]}})})
    cleanups.push(repo.cleanup)
    const {code, stdout, stderr} = await runMls(['bench', '-m', 'mnist_sklearn', '--url', server.url, '--dataset', path.join(repo.dir, 'half-bad.json'), '-n', '10', '--warmup', '0'])
    expect(code).toBe(1)
    expect(stdout).toMatch(/^1 +10 +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +5 +server error 400 INVALID_DATA: /m)
    expect(stderr).toMatch(/^Error: 5 of 10 requests failed \(first, at concurrency 1: server error 400 INVALID_DATA: input "predict": .*\)$/m)
  })

  it('unknown model or version, unreachable server: one line naming what exists or where it looked', async () => {
    const model = await runMls(['bench', '-m', 'nope', '--url', server.url])
    expect(model.code).toBe(1)
    expect(model.stderr).toMatch(/^Error: server error 404 MODEL_NOT_FOUND: model "nope" not found \(models: mnist_sklearn, mushroom_xgboost\)\n$/)
    const version = await runMls(['bench', '-m', 'mnist_sklearn', '-v', 'v9', '--grpc', '--grpc-url', server.grpcAddress])
    expect(version.code).toBe(1)
    expect(version.stderr).toMatch(/no version "v9" \(versions: v1\.0\.0\)/)
    const down = await runMls(['bench', '-m', 'mnist_sklearn', '--url', 'http://127.0.0.1:9'])
    expect(down.code).toBe(1)
    expect(down.stderr).toMatch(/cannot reach an mls server at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); the address came from --url\. Start one with `mls start <dir>`/)
    const usage = await runMls(['bench', '-m', 'mnist_sklearn', '--url', server.url, '-c', '1,0'])
    expect(usage.code).toBe(2)
    expect(usage.stderr).toMatch(/--concurrency takes a comma-separated list of integers from 1 to 1024/)
  })

  it('--help has a summary and examples', async () => {
    const {code, stdout} = await runMls(['bench', '--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/perf_analyzer/)
    expect(stdout).toMatch(/EXAMPLES[\s\S]*bench -m mnist_sklearn --concurrency 1,4,16/)
  })
})

/** An HTTP proxy to `target` that notes, for each infer request, its content type and its answer's. */
async function recordingProxy(target: string, seen: Array<{type?: string; answer?: string}>): Promise<{url: string; close(): Promise<void>}> {
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const headers: Record<string, string> = {}
      for (const name of ['content-type', 'inference-header-content-length']) if (req.headers[name]) headers[name] = String(req.headers[name])
      const answer = await fetch(target + req.url, {method: req.method, headers, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined})
      const body = Buffer.from(await answer.arrayBuffer())
      if (req.url?.endsWith('/infer')) seen.push({type: req.headers['content-type'], answer: answer.headers.get('content-type') ?? undefined})
      const out: Record<string, string> = {'content-type': answer.headers.get('content-type') ?? 'application/json'}
      const length = answer.headers.get('inference-header-content-length')
      if (length) out['inference-header-content-length'] = length
      res.writeHead(answer.status, out).end(body)
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  return {url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, close: () => new Promise((resolve) => proxy.close(() => resolve()))}
}
