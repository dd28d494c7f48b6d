/**
 * Faults survived. Broken model files (corrupt, empty, of the wrong structure) and model-settings.json fields of the
 * wrong type leave that model UNAVAILABLE with the reason while the others serve and the server is ready. Unload and
 * reload under sustained traffic: requests admitted before the unload complete, later ones get a clear 404 / 503, none
 * hangs. A server process killed mid-request (--processes 2): its requests fail at once, it is replaced, traffic
 * continues. (A worker thread killed mid-request is in workers.test.ts.)
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {request as httpRequest} from 'node:http'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {MUSHROOM_DIR, makeRepo, readTestSet, rowRequest, type RepoFiles} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'

const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const XGB = {copy: path.join(MUSHROOM_DIR, 'model.json')}
const UBJ = {copy: path.join(REPO_ROOT, 'test/fixtures/models-xgboost/mushroom_ubj/model.ubj')}
const settings = (value: unknown) => JSON.stringify(value)
/**
 * A runtime whose predict takes `ms` (an async wait), echoing its inputs as output "y". With `startedFile`, each
 * request first appends "started <pid>" to it: which server process runs it, seen from the test.
 */
const slowRuntime = (ms: number, startedFile?: string) => `
import {appendFileSync} from 'node:fs'
export default {
  async predict(request) {
    ${startedFile === undefined ? '' : `appendFileSync(${JSON.stringify(startedFile)}, 'started ' + process.pid + '\\n')`}
    await new Promise((resolve) => setTimeout(resolve, ${ms}))
    return {outputs: request.inputs.map((t) => ({...t, name: 'y'}))}
  },
}
`
const ROW = {inputs: [{name: 'x', shape: [2], datatype: 'FP32', data: [1, 2]}]}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function serve(files: RepoFiles, args: string[] = []): Promise<{server: MlsProcess; dir: string}> {
  const repo = makeRepo(files)
  cleanups.push(repo.cleanup)
  const server = await startMls(repo.dir, {args})
  cleanups.push(() => server.stop())
  return {server, dir: repo.dir}
}

const index = async (server: MlsProcess) => (await postJson(server.url + '/v2/repository/index', {})).body as Array<{name: string; state: string; reason: string}>

describe('broken model files and settings', () => {
  const broken: Array<[string, RepoFiles, RegExp]> = [
    ['random bytes as model.onnx', {'m/model-settings.json': settings({implementation: 'onnx'}), 'm/model.onnx': Buffer.from(Array.from({length: 4096}, (_, i) => (i * 7919) % 256)).toString('latin1')}, /cannot load ONNX model .*model\.onnx/],
    ['an empty model.onnx', {'m/model-settings.json': settings({implementation: 'sklearn'}), 'm/model.onnx': ''}, /model\.onnx/],
    ['garbage as model.ubj', {'m/model-settings.json': settings({implementation: 'xgboost', parameters: {uri: './model.ubj'}}), 'm/model.ubj': 'this is not UBJSON at all'}, /model\.ubj/],
    ['an XGBoost model.json of the wrong structure', {'m/model-settings.json': settings({implementation: 'xgboost'}), 'm/model.json': '{"learner": 5}'}, /model\.json/],
    ['parameters of the wrong type in model-settings.json', {'m/model-settings.json': settings({implementation: 'xgboost', parameters: 'fast'}), 'm/model.json': XGB}, /model-settings\.json: parameters: expected object, found "fast"/],
    ['inputs of the wrong type in model-settings.json', {'m/model-settings.json': settings({implementation: 'xgboost', inputs: {name: 'x'}}), 'm/model.json': XGB}, /model-settings\.json: inputs: expected array, found an object/],
    ['a missing model file', {'m/model-settings.json': settings({implementation: 'onnx', parameters: {uri: './gone.onnx'}})}, /parameters\.uri: no file or folder at .*gone\.onnx/],
  ]

  it(`${broken.length} broken models at once: each UNAVAILABLE with its reason; the good ones serve and the server is ready`, async () => {
    const files: RepoFiles = {'good/model-settings.json': settings({implementation: 'xgboost'}), 'good/model.json': XGB, 'ubj/model-settings.json': settings({implementation: 'xgboost'}), 'ubj/model.ubj': UBJ}
    broken.forEach(([, repo], i) => Object.entries(repo).forEach(([file, content]) => (files[file.replace(/^m\//, `broken${i}/`)] = content)))
    const {server} = await serve(files)
    const items = await index(server)
    broken.forEach(([what, , reason], i) => {
      const item = items.find((m) => m.name === `broken${i}`)
      expect(item, what).toMatchObject({state: 'UNAVAILABLE', reason: expect.stringMatching(reason)})
    })
    for (const name of ['good', 'ubj']) {
      const res = await postJson(`${server.url}/v2/models/${name}/infer`, rowRequest(mushroom, 1))
      expect(res.status).toBe(200)
      expect(res.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[1], 6)
    }
    const refused = await postJson(`${server.url}/v2/models/broken0/infer`, ROW)
    expect(refused.status).toBe(404)
    expect(refused.body).toEqual({code: 'MODEL_UNAVAILABLE', error: expect.stringMatching(/failed to load: cannot load ONNX model/)})
    expect((await request(server.url + '/v2/health/ready')).status).toBe(200)
  })
})

/** In-flight REST inferences, from the metrics gauge. */
async function inFlight(server: MlsProcess): Promise<number> {
  const text = (await request(server.metricsUrl!)).text
  return Number(/^rest_server_requests_in_progress\{method="POST",path="\/v2\/models\/:name\/infer"\} (\S+)$/m.exec(text)?.[1] ?? 0)
}

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A POST that fails (never hangs) after `ms`: the status, the code, or what went wrong on the connection. */
async function infer(url: string, ms = 10_000): Promise<{status: number; code?: string; failure?: string}> {
  try {
    const res = await fetch(url, {method: 'POST', body: JSON.stringify(ROW), headers: {'content-type': 'application/json'}, signal: AbortSignal.timeout(ms)})
    const body = (await res.json()) as {code?: string}
    return {status: res.status, code: body.code}
  } catch (error) {
    return {status: 0, failure: (error as Error).name === 'TimeoutError' ? 'hung' : String((error as Error).cause ?? error)}
  }
}

describe('unload and reload under sustained traffic', () => {
  it('requests admitted before an unload complete before it answers; later ones get 503 / 404; none hangs', async () => {
    const {server} = await serve({'slow/model-settings.json': settings({implementation: './runtime.js'}), 'slow/runtime.js': slowRuntime(400), ...{'other/model-settings.json': settings({implementation: 'xgboost'}), 'other/model.json': XGB}})
    const url = server.url + '/v2/models/slow/infer'
    const order: string[] = []
    const admitted = Array.from({length: 8}, () => infer(url).then((r) => (order.push('request'), r)))
    await until(async () => (await inFlight(server)) >= 8, '8 requests in flight')
    const unload = request(server.url + '/v2/repository/models/slow/unload', {method: 'POST'}).then((r) => (order.push('unload'), r))
    await until(async () => (await index(server)).find((m) => m.name === 'slow')!.state !== 'READY', 'UNLOADING')
    const during = await infer(url)
    expect((await unload).status).toBe(200)
    const after = await infer(url)

    expect((await Promise.all(admitted)).map((r) => r.status)).toEqual(Array(8).fill(200))
    expect(order.indexOf('unload')).toBe(8) // after every admitted request
    expect(during).toMatchObject({status: 503, code: 'MODEL_NOT_READY'})
    expect(after).toMatchObject({status: 404, code: 'MODEL_UNAVAILABLE'})
    expect((await postJson(server.url + '/v2/models/other/infer', rowRequest(mushroom, 0))).status).toBe(200)
  })

  it('20 unload/load cycles under 6 clients of constant traffic: every answer 200, 503 MODEL_NOT_READY or 404 MODEL_UNAVAILABLE, none hangs', async () => {
    const {server} = await serve({'slow/model-settings.json': settings({implementation: './runtime.js'}), 'slow/runtime.js': slowRuntime(20)})
    const url = server.url + '/v2/models/slow/infer'
    let running = true
    const answers: Array<{status: number; code?: string; failure?: string}> = []
    const client = async () => {
      while (running) answers.push(await infer(url))
    }
    const clients = Array.from({length: 6}, client)
    for (let i = 0; i < 20; i++) {
      expect((await request(server.url + '/v2/repository/models/slow/unload', {method: 'POST'})).status).toBe(200)
      expect((await request(server.url + '/v2/repository/models/slow/load', {method: 'POST'})).status).toBe(200)
      if (i % 2 === 0) expect((await request(server.url + '/v2/repository/models/slow/load', {method: 'POST'})).status).toBe(200) // a rolling reload too
    }
    running = false
    await Promise.all(clients)
    const kinds = new Set(answers.map((a) => (a.status === 200 ? '200' : `${a.status} ${a.code ?? a.failure}`)))
    expect([...kinds].filter((k) => !['200', '503 MODEL_NOT_READY', '404 MODEL_UNAVAILABLE'].includes(k))).toEqual([])
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(20)
    expect((await infer(url)).status).toBe(200)
  })
})

/** A POST on its own connection, so the cluster's round robin spreads requests over the processes. */
function postFresh(url: string, body: unknown, ms = 10_000): Promise<{status: number; failure?: string}> {
  return new Promise((resolve) => {
    const data = JSON.stringify(body)
    const req = httpRequest(url, {method: 'POST', agent: false, timeout: ms, headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)}}, (res) => {
      res.resume()
      res.on('end', () => resolve({status: res.statusCode!}))
      res.on('error', (error) => resolve({status: 0, failure: error.message}))
    })
    req.on('timeout', () => req.destroy(new Error('hung')))
    req.on('error', (error) => resolve({status: 0, failure: error.message}))
    req.end(data)
  })
}

describe('a server process killed mid-request (--processes 2)', () => {
  it('fails the requests in flight on it at once, is replaced, and traffic continues', async () => {
    const repo = makeRepo({'slow/model-settings.json': settings({implementation: './runtime.js'})})
    cleanups.push(repo.cleanup)
    const startedFile = path.join(repo.dir, 'started.txt')
    writeFileSync(path.join(repo.dir, 'slow/runtime.js'), slowRuntime(3000, startedFile))
    const server = await startMls(repo.dir, {args: ['--processes', '2', '--debug']})
    cleanups.push(() => server.stop())
    const url = server.url + '/v2/models/slow/infer'
    const pid = Number(/process 1 serving \(pid (\d+)\)/.exec(server.logs())![1])
    const started = () => (existsSync(startedFile) ? [...readFileSync(startedFile, 'utf8').matchAll(/^started (\d+)$/gm)].map((m) => Number(m[1])) : [])
    const traffic = Array.from({length: 6}, () => postFresh(url, ROW))
    // Kill process 1 once all six requests run, some on it and some on the other process (round robin).
    await until(() => started().length === 6, 'all six requests running')
    expect(started()).toContain(pid)
    expect(started().some((p) => p !== pid)).toBe(true)
    process.kill(pid, 'SIGKILL')
    const results = await Promise.all(traffic)
    const failed = results.filter((r) => r.status !== 200)
    expect(failed.length).toBeGreaterThanOrEqual(1)
    expect(results.length - failed.length).toBeGreaterThanOrEqual(1)
    for (const r of failed) expect(r.failure).toMatch(/socket hang up|ECONNRESET/)
    await until(() => [...server.logs().matchAll(/process 1 \(pid (\d+)\) loaded/g)].some((m) => Number(m[1]) !== pid), 'the replacement process')
    const after = await Promise.all(Array.from({length: 6}, () => postFresh(url, ROW)))
    expect(after.map((r) => r.status)).toEqual(Array(6).fill(200))
  }, 40_000)
})
