/**
 * Parallel inference end to end, against the built CLI: the example models on worker threads answer their full test
 * sets (REST, concurrent chunks, gRPC raw), parallel_workers per model overrides the server's, and a worker killed
 * while requests are in flight on it fails those requests at once, is replaced, and traffic continues.
 *
 * How a worker is killed from outside: a thread cannot be signalled, so the server runs with Node's inspector
 * (NODE_OPTIONS=--inspect=127.0.0.1:0, no code of mls involved). The test attaches to the worker thread through the
 * inspector's NodeWorker domain (found by its thread name, `mls <model>:<version> #<n>`) and evaluates there a busy
 * loop followed by process.exit(70): requests dispatched to that thread meanwhile stay in flight until it dies. The loop
 * says it started by writing a file and ends when the test writes another (or after 20 s), so the test waits on
 * events, not on time.
 */
import {existsSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {WebSocket} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, MUSHROOM_DIR, makeRepo, readTestSet, rowRequest, type RepoFiles, type TestSet} from './helpers/fixtures.js'
import {call, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const mushroomMissing = readTestSet(path.join(MUSHROOM_DIR, 'test-set-missing.json'))
const MNIST_SETTINGS = {name: 'mnist_sklearn', implementation: 'mlserver_sklearn.SKLearnModel', parameters: {version: 'v1.0.0'}}
const MUSHROOM_SETTINGS = {name: 'mushroom_xgboost', implementation: 'mlserver_xgboost.XGBoostModel', parameters: {uri: './model.json', version: 'v2.0.0'}}
const MNIST_INFER = '/v2/models/mnist_sklearn/versions/v1.0.0/infer'
const MUSHROOM_INFER = '/v2/models/mushroom_xgboost/versions/v2.0.0/infer'
const MNIST_URL = (server: MlsProcess) => server.url + MNIST_INFER

function repo(mnistExtra: object = {}, mushroomExtra: object = {}, files: RepoFiles = {}) {
  return makeRepo({
    'mnist_sklearn/model-settings.json': JSON.stringify({...MNIST_SETTINGS, ...mnistExtra}),
    'mnist_sklearn/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    'mushroom_xgboost/model-settings.json': JSON.stringify({...MUSHROOM_SETTINGS, ...mushroomExtra}),
    'mushroom_xgboost/model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')},
    ...files,
  })
}

/** Rows [start, start + n) of a test set as one request. */
function chunk(set: TestSet, start: number, n: number) {
  const input = set.request.inputs[0]
  const width = input.shape[1]
  return {inputs: [{...input, shape: [n, width], data: input.data.slice(start * width, (start + n) * width)}]}
}

/** The output holds the predictions of the test set's rows [start, start + rows), within its tolerance if it has one. */
function expectPredictions(output: {data: number[]}, set: TestSet, start = 0, rows = set.expected.predict.length - start) {
  const expected = set.expected.predict.slice(start, start + rows)
  expect(output.data).toHaveLength(rows)
  if (set.tolerance) output.data.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThanOrEqual(set.tolerance!))
  else expect(output.data).toEqual(expected)
}

/** parallel_request_queue samples, by model. */
async function parallelQueue(server: MlsProcess): Promise<Record<string, number>> {
  const text = (await request(server.metricsUrl!)).text
  return Object.fromEntries([...text.matchAll(/^parallel_request_queue\{model="([^"]+)",version="[^"]*"\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])]))
}

describe('MLS_PARALLEL_WORKERS=2: the example models on worker threads', () => {
  let server: MlsProcess
  let cleanup: () => void
  beforeAll(async () => {
    const r = repo({}, {}, {
      'batched/model-settings.json': JSON.stringify({implementation: 'sklearn', max_batch_size: 16, max_batch_time: 0.02}),
      'batched/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    })
    cleanup = r.cleanup
    server = await startMls(r.dir, {args: ['--debug'], env: {MLS_PARALLEL_WORKERS: '2'}}) // --debug: batches are logged
  })
  afterAll(async () => {
    try {
      expect(await server?.stop()).toBe(0)
    } finally {
      cleanup?.()
    }
  })

  it('loads each model on 2 worker threads and shows the parallel_request_queue gauge', async () => {
    await server.expectLog('model "mnist_sklearn" version "v1.0.0" serves on 2 worker thread(s)')
    await server.expectLog('model "mushroom_xgboost" version "v2.0.0" serves on 2 worker thread(s)')
    const text = (await request(server.metricsUrl!)).text
    expect(text).toMatch(/^# TYPE parallel_request_queue gauge$/m)
    expect(await parallelQueue(server)).toEqual({mnist_sklearn: 0, mushroom_xgboost: 0, batched: 0})
  })

  it('gives sklearn\'s prediction for every mnist test row, in one request and in 30 concurrent chunks', async () => {
    const whole = await postJson(MNIST_URL(server), mnist.request)
    expect(whole.status).toBe(200)
    expect(whole.body.outputs[0].shape).toEqual([899, 1])
    expectPredictions(whole.body.outputs[0], mnist)
    const starts = Array.from({length: 30}, (_, i) => i * 30)
    const parts = await Promise.all(starts.map((s) => postJson(MNIST_URL(server), chunk(mnist, s, Math.min(30, 899 - s)))))
    parts.forEach((res, i) => {
      expect(res.status).toBe(200)
      expectPredictions(res.body.outputs[0], mnist, starts[i], Math.min(30, 899 - starts[i]))
    })
  })

  it('gives xgboost\'s probability for every mushroom test row (with and without missing values) within 1e-6', async () => {
    for (const set of [mushroom, mushroomMissing]) {
      const res = await postJson(server.url + MUSHROOM_INFER, set.request)
      expect(res.status).toBe(200)
      expect(res.body.outputs[0]).toMatchObject({name: 'predict', datatype: 'FP32', shape: [set.expected.predict.length, 1]})
      expectPredictions(res.body.outputs[0], set)
    }
    const rows = await Promise.all(Array.from({length: 40}, (_, i) => postJson(server.url + MUSHROOM_INFER, {id: `row-${i}`, ...rowRequest(mushroom, i)})))
    rows.forEach((res, i) => {
      expect(res.body.id).toBe(`row-${i}`)
      expectPredictions(res.body.outputs[0], mushroom, i, 1)
    })
    expect(await parallelQueue(server)).toEqual({mnist_sklearn: 0, mushroom_xgboost: 0, batched: 0})
  })

  it('batches on the main thread and runs each batch on a worker: 64 concurrent rows, each answered with its own', async () => {
    const results = await Promise.all(Array.from({length: 64}, (_, i) => postJson(server.url + '/v2/models/batched/infer', {id: `b${i}`, ...rowRequest(mnist, i)})))
    results.forEach((res, i) => {
      expect(res.status).toBe(200)
      expect(res.body.id).toBe(`b${i}`)
      expect(res.body.outputs).toEqual([{name: 'predict', shape: [1, 1], datatype: 'INT64', data: [mnist.expected.predict[i]]}])
    })
    const batches = [...server.logs().matchAll(/batch of (\d+) request\(s\)/g)].map((m) => Number(m[1]))
    expect(batches.some((n) => n > 1)).toBe(true)
    expect((await request(server.metricsUrl!)).text).toMatch(/^batch_request_queue\{model="batched",version=""\} 0$/m)
  })

  it('answers gRPC raw_input_contents (views into the message buffer) the same way', async () => {
    const client = inferenceClient(server.grpcAddress)
    const values = Float32Array.from(chunk(mnist, 0, 5).inputs[0].data as number[])
    const response = await call(client, 'ModelInfer', {model_name: 'mnist_sklearn', inputs: [{name: 'predict', datatype: 'FP32', shape: [5, 64]}], raw_input_contents: [Buffer.from(values.buffer)]})
    const labels = new BigInt64Array(new Uint8Array(response.raw_output_contents[0]).buffer)
    expect(Array.from(labels, Number)).toEqual(mnist.expected.predict.slice(0, 5))
    client.close()
  })
})

/** A minimal Chrome DevTools Protocol client on the server's inspector: lists worker threads and evaluates in one. */
class Inspector {
  readonly workers = new Map<string, string>() // sessionId -> thread title
  private id = 0
  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as {method?: string; params?: {sessionId: string; workerInfo?: {title: string}}}
      if (message.method === 'NodeWorker.attachedToWorker') this.workers.set(message.params!.sessionId, message.params!.workerInfo!.title)
      if (message.method === 'NodeWorker.detachedFromWorker') this.workers.delete(message.params!.sessionId)
    })
  }

  static async connect(logs: string): Promise<Inspector> {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(logs)?.[1]
    if (url === undefined) throw new Error(`no inspector URL in the server's output:\n${logs}`)
    const socket = new WebSocket(url)
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve)
      socket.addEventListener('error', reject)
    })
    const inspector = new Inspector(socket)
    inspector.send('NodeWorker.enable', {waitForDebuggerOnStart: false})
    return inspector
  }

  /** The inspector session of the live thread whose title ends with `name`. */
  session(name: string): string | undefined {
    return [...this.workers].find(([, title]) => title.endsWith(name))?.[0]
  }

  /** Evaluates `expression` in a worker thread, without waiting for an answer. */
  evaluate(sessionId: string, expression: string): void {
    const message = JSON.stringify({id: ++this.id, method: 'Runtime.evaluate', params: {expression}})
    this.send('NodeWorker.sendMessageToWorker', {sessionId, message})
  }

  close(): void {
    this.socket.close()
  }

  private send(method: string, params: object): void {
    this.socket.send(JSON.stringify({id: ++this.id, method, params}))
  }
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('parallel_workers per model, and a worker killed mid-request', () => {
  let server: MlsProcess
  let inspector: Inspector | undefined
  let cleanup: () => void
  let dir: string
  beforeAll(async () => {
    // Server default 1; mnist overrides to 0 (in-process), mushroom to 2; a second mushroom inherits the server's 1.
    const r = repo({parallel_workers: 0}, {parallel_workers: 2}, {
      'settings.json': JSON.stringify({parallel_workers: 1}),
      'mushroom_default/model-settings.json': JSON.stringify({implementation: 'xgboost'}),
      'mushroom_default/model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')},
    })
    cleanup = r.cleanup
    dir = r.dir
    server = await startMls(r.dir, {env: {NODE_OPTIONS: '--inspect=127.0.0.1:0'}})
  })
  afterAll(async () => {
    inspector?.close() // with a debugger attached, Node would wait for it before exiting
    try {
      expect(await server?.stop()).toBe(0)
    } finally {
      cleanup?.()
    }
  })

  it('uses model-settings.json\'s parallel_workers over the server\'s', async () => {
    const logs = server.logs()
    expect(logs).toContain('model "mushroom_xgboost" version "v2.0.0" serves on 2 worker thread(s)')
    expect(logs).toContain('model "mushroom_default" serves on 1 worker thread(s)')
    expect(logs).not.toMatch(/model "mnist_sklearn" .*serves on/)
    expect(await parallelQueue(server)).toEqual({mushroom_xgboost: 0, mushroom_default: 0})
    for (const url of [MNIST_URL(server), server.url + MUSHROOM_INFER, server.url + '/v2/models/mushroom_default/infer']) {
      const set = url.includes('mnist') ? mnist : mushroom
      const res = await postJson(url, chunk(set, 0, 100))
      expect(res.status).toBe(200)
      expectPredictions(res.body.outputs[0], set, 0, 100)
    }
  })

  it('fails the requests in flight on a killed worker at once (no hang), replaces the worker, and keeps serving', async () => {
    inspector = await Inspector.connect(server.logs())
    await until(() => inspector!.session('mls mushroom_xgboost:v2.0.0 #2'), 'worker #2 in the inspector')
    const victim = await until(() => inspector!.session('mls mushroom_xgboost:v2.0.0 #1'), 'worker #1 in the inspector')

    // Worker #1 is kept busy (it writes `busy` first) until the test writes `release` (at most 20 s), then exits;
    // requests sent to it meanwhile are in flight when it dies.
    const busy = path.join(dir, 'busy')
    const release = path.join(dir, 'release')
    inspector.evaluate(victim, `(() => {
      const fs = process.getBuiltinModule('node:fs')
      fs.writeFileSync(${JSON.stringify(busy)}, '')
      const end = Date.now() + 20000
      while (!fs.existsSync(${JSON.stringify(release)}) && Date.now() < end);
      process.exit(70)
    })()`)
    await until(() => existsSync(busy), 'worker #1 busy')
    const traffic = Array.from({length: 8}, (_, i) => postJson(server.url + MUSHROOM_INFER, {id: `r${i}`, ...rowRequest(mushroom, i)}))
    // While #1 is stuck, the gauge shows its requests; the other worker and the other models keep answering.
    expect(await until(async () => ((await parallelQueue(server)).mushroom_xgboost ?? 0) >= 1, 'a request stuck on worker #1')).toBe(true)
    expect((await request(server.url + '/v2/health/ready')).status).toBe(200)
    expect((await postJson(MNIST_URL(server), rowRequest(mnist, 0))).status).toBe(200)

    writeFileSync(release, '')
    const released = Date.now()
    const results = await Promise.all(traffic)
    // The requests stuck on #1 fail as it dies, not at some timeout.
    expect(Date.now() - released).toBeLessThan(5000)
    const failed = results.filter((r) => r.status !== 200)
    const answered = results.filter((r) => r.status === 200)
    expect(failed.length).toBeGreaterThanOrEqual(1)
    expect(answered.length).toBeGreaterThanOrEqual(1)
    for (const res of failed) {
      expect(res.status).toBe(500)
      expect(res.body).toEqual({
        code: 'INTERNAL',
        error: 'worker 1 of model "mushroom_xgboost" version "v2.0.0" died while running this request (it exited with code 70); it is being replaced',
      })
    }
    results.forEach((res, i) => res.status === 200 && expectPredictions(res.body.outputs[0], mushroom, i, 1))
    await server.expectLog(/ERROR worker 1 of model "mushroom_xgboost" version "v2.0.0" died: it exited with code 70; \d+ request\(s\) in flight on it failed; starting a replacement/)

    // The replacement: logged, and a new thread #1 in the inspector.
    await until(() => server.logs().includes('worker 1 of model "mushroom_xgboost" version "v2.0.0" replaced'), 'the replacement')
    const replacement = await until(() => inspector!.session('mls mushroom_xgboost:v2.0.0 #1'), 'the new worker #1')
    expect(replacement).not.toBe(victim)

    // Traffic continues: the full test set, then concurrent rows, all correct; nothing left in flight.
    const whole = await postJson(server.url + MUSHROOM_INFER, mushroom.request)
    expect(whole.status).toBe(200)
    expectPredictions(whole.body.outputs[0], mushroom)
    const after = await Promise.all(Array.from({length: 20}, (_, i) => postJson(server.url + MUSHROOM_INFER, rowRequest(mushroom, i))))
    after.forEach((res, i) => {
      expect(res.status).toBe(200)
      expectPredictions(res.body.outputs[0], mushroom, i, 1)
    })
    expect((await parallelQueue(server)).mushroom_xgboost).toBe(0)
  })
})
