/**
 * The client commands as a user runs them (spawned bin/run.js) against a server started by the test, over REST and
 * gRPC: infer, repo list|load|unload, test, and their errors.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, makeRepo, readTestSet} from './helpers/fixtures.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const row = (set: typeof mnist, r: number) => {
  const {shape, data} = set.request.inputs[0]
  return data.slice(r * shape[1], (r + 1) * shape[1])
}

let server: MlsProcess
let at: {rest: string[]; grpc: string[]}
const cleanups: Array<() => void> = []

beforeAll(async () => {
  server = await startMls(EXAMPLE)
  at = {rest: ['--url', server.url], grpc: ['--grpc', '--grpc-url', server.grpcAddress]}
})
afterAll(async () => {
  await server.stop()
  cleanups.forEach((c) => c())
})

describe.each(['rest', 'grpc'] as const)('over %s', (transport) => {
  const mls = (...args: string[]) => runMls([...args, ...at[transport]])

  it('infer: a JSON array for mnist_sklearn prints the label table', async () => {
    const {code, stdout} = await mls('infer', '--model', 'mnist_sklearn', '--version', 'v1.0.0', '--data', JSON.stringify(row(mnist, 0)))
    expect(code).toBe(0)
    expect(stdout).toMatch(/^mnist_sklearn v1\.0\.0 {2}id /)
    expect(stdout).toContain(`predict  INT64 [1,1]\n  ${mnist.expected.predict[0]}`)
  })

  it('infer --json: two CSV rows from stdin for mushroom_xgboost, with predict_proba', async () => {
    const csv = `${row(mushroom, 0).join(',')}\n${row(mushroom, 1).join(',')}\n`
    const {code, stdout} = await runMls(['infer', '-m', 'mushroom_xgboost', '-o', 'predict', '-o', 'predict_proba', '--json', ...at[transport]], {}, {input: csv})
    expect(code).toBe(0)
    const response = JSON.parse(stdout)
    expect(response.model_name).toBe('mushroom_xgboost')
    expect(response.outputs[0]).toMatchObject({name: 'predict', shape: [2, 1], datatype: 'FP32'})
    expect(response.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[0], 6)
    expect(response.outputs[0].data[1]).toBeCloseTo(mushroom.expected.predict[1], 6)
    expect(response.outputs[1].shape).toEqual([2, 2])
  })

  it('infer: a V2 request file is sent as is', async () => {
    const repo = makeRepo({'request.json': JSON.stringify({id: 'from-file', inputs: [{name: 'predict', shape: [1, 64], datatype: 'FP32', data: row(mnist, 3)}]})})
    cleanups.push(repo.cleanup)
    const {code, stdout} = await mls('infer', '-m', 'mnist_sklearn', '--input', path.join(repo.dir, 'request.json'), '--json')
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({id: 'from-file', outputs: [{data: [mnist.expected.predict[3]]}]})
  })

  it('repo list, unload, list, load, list', async () => {
    const list = async () => (await mls('repo', 'list')).stdout
    expect(await list()).toMatch(/mushroom_xgboost\s+v2\.0\.0\s+READY/)
    const unload = await mls('repo', 'unload', 'mushroom_xgboost')
    expect(unload.code).toBe(0)
    expect(unload.stdout).toMatch(/mushroom_xgboost\s+v2\.0\.0\s+UNAVAILABLE\s+unloaded/)
    expect(await list()).toMatch(/mushroom_xgboost\s+v2\.0\.0\s+UNAVAILABLE\s+unloaded/)
    const ready = JSON.parse((await mls('repo', 'list', '--ready', '--json')).stdout)
    expect(ready.map((m: {name: string}) => m.name)).toEqual(['mnist_sklearn'])
    const load = await mls('repo', 'load', 'mushroom_xgboost')
    expect(load.code).toBe(0)
    expect(load.stdout).toMatch(/mushroom_xgboost\s+v2\.0\.0\s+READY/)
    expect(await list()).toMatch(/mnist_sklearn\s+v1\.0\.0\s+READY[\s\S]*mushroom_xgboost\s+v2\.0\.0\s+READY/)
  }, 60_000) // six CLI runs of ~1-3 s each on a busy 2-core machine

  it('test: both example models agree 100% with the reference predictions', async () => {
    const a = await runMls(['test', '--model', 'mnist_sklearn', '--version', 'v1.0.0', '--repo', EXAMPLE, ...at[transport]])
    expect(a.code).toBe(0)
    expect(a.stdout).toMatch(/agreement\s+100\.00% \(899\/899 rows/)
    expect(a.stdout).toMatch(/accuracy\s+96\.89% against the true labels/)
    expect(a.stdout).toMatch(/latency\s+p50 [\d.]+ ms {2}p90 [\d.]+ ms {2}p99 [\d.]+ ms/)
    expect(a.stdout).toMatch(/PASS$/m)
    const c = await runMls(['test', '-m', 'mushroom_xgboost', '--batch-size', '50', '--concurrency', '2', '--json', '--repo', EXAMPLE, ...at[transport]])
    expect(c.code).toBe(0)
    expect(JSON.parse(c.stdout)).toMatchObject({rows: 1611, requests: 33, errors: 0, agreement: 1, accuracy: 0.9783})
  })

  it('test: a deliberately wrong dataset fails with exit 1', async () => {
    const wrong = {...mnist, expected: {predict: mnist.expected.predict.map((label, i) => (i % 10 === 0 ? (label + 1) % 10 : label))}}
    const repo = makeRepo({'wrong.json': JSON.stringify(wrong)})
    cleanups.push(repo.cleanup)
    const {code, stdout} = await runMls(['test', '-m', 'mnist_sklearn', '--dataset', path.join(repo.dir, 'wrong.json'), '--concurrency', '8', ...at[transport]])
    expect(code).toBe(1)
    expect(stdout).toMatch(/agreement\s+89\.99% \(809\/899 rows/)
    expect(stdout).toMatch(/first mismatch\s+row \d+: predict is \[\d\], expected \[\d\]/)
    expect(stdout).toMatch(/FAIL: agreement 89\.99% is below 100\.00%/)
    const lenient = await runMls(['test', '-m', 'mnist_sklearn', '--dataset', path.join(repo.dir, 'wrong.json'), '--min-agreement', '0.9', '--limit', '100', ...at[transport]])
    expect(lenient.code).toBe(0)
  })
})

describe('errors a user sees', () => {
  it('unknown model: names the models that exist', async () => {
    const {code, stderr} = await runMls(['infer', '-m', 'nope', '--data', '[1]', '--url', server.url])
    expect(code).toBe(1)
    expect(stderr).toMatch(/model "nope" not found \(models: mnist_sklearn, mushroom_xgboost\)/)
    expect(stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('unknown version: names the versions that exist', async () => {
    const {code, stderr} = await runMls(['infer', '-m', 'mnist_sklearn', '-v', 'v9', '--data', '[1]', '--grpc', '--grpc-url', server.grpcAddress])
    expect(code).toBe(1)
    expect(stderr).toMatch(/no version "v9" \(versions: v1\.0\.0\)/)
  })

  it('server not reachable: says which URL and how to start one (REST and gRPC)', async () => {
    const rest = await runMls(['repo', 'list', '--url', 'http://127.0.0.1:9'])
    expect(rest.code).toBe(1)
    expect(rest.stderr).toMatch(/cannot reach an mls server at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); the address came from --url\. Start one with `mls start <dir>`/)
    const grpc = await runMls(['repo', 'list', '--grpc', '--grpc-url', '127.0.0.1:9'])
    expect(grpc.code).toBe(1)
    expect(grpc.stderr).toMatch(/cannot reach an mls server at 127\.0\.0\.1:9 \(ECONNREFUSED\); the address came from --grpc-url\. /)
  })

  it('a request file that is not valid JSON: exit 2 naming the file', async () => {
    const repo = makeRepo({'bad.json': '{"inputs": ['})
    cleanups.push(repo.cleanup)
    const file = path.join(repo.dir, 'bad.json')
    const {code, stderr} = await runMls(['infer', '-m', 'mnist_sklearn', '--input', file, '--url', server.url])
    expect(code).toBe(2)
    expect(stderr).toContain(`${file} is not valid JSON`)
  })

  it('a data length that does not fit the input shape is caught before sending', async () => {
    const {code, stderr} = await runMls(['infer', '-m', 'mnist_sklearn', '--data', JSON.stringify(row(mnist, 0).slice(0, 63)), '--url', server.url])
    expect(code).toBe(2)
    expect(stderr).toMatch(/63 values do not fit the model input "input" \[-1,64\] \(a multiple of 64 is needed\)/)
  })

  it('finds the server from settings.json in the current folder, and from MLS_URL', async () => {
    const port = new URL(server.url).port
    const repo = makeRepo({'settings.json': JSON.stringify({http_port: Number(port)})})
    cleanups.push(repo.cleanup)
    const fromSettings = await runMls(['repo', 'list'], {}, {cwd: repo.dir})
    expect(fromSettings.code).toBe(0)
    expect(fromSettings.stdout).toMatch(/mnist_sklearn/)
    const fromEnv = await runMls(['repo', 'list', '--json'], {MLS_URL: server.url}, {cwd: repo.dir})
    expect(JSON.parse(fromEnv.stdout)).toHaveLength(2)
  })

  it('test without a test set: says where it looked', async () => {
    const repo = makeRepo({'m/model-settings.json': '{"implementation": "onnx"}'})
    cleanups.push(repo.cleanup)
    const {code, stderr} = await runMls(['test', '-m', 'm', '--repo', repo.dir, '--url', server.url])
    expect(code).toBe(2)
    expect(stderr).toMatch(/no test-set\.json beside .*m[/\\]model-settings\.json; give --dataset FILE/)
  })
})

describe('--help', () => {
  it.each(['infer', 'repo list', 'repo load', 'repo unload', 'test', 'start'])('%s has a summary and examples', async (command) => {
    const {code, stdout} = await runMls([...command.split(' '), '--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/EXAMPLES/)
  })
})
