/**
 * Backpressure and timeouts through the built CLI, over real HTTP and gRPC: a model's queue bound (max_queue_size)
 * answered 503 + Retry-After / RESOURCE_EXHAUSTED, infer_timeout answered 504 / DEADLINE_EXCEEDED while other models
 * keep serving, the gRPC deadline, and clients that go away freeing their places (work still waiting is skipped).
 * The slow models are custom runtimes that sleep for the number of milliseconds they are sent.
 */
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {failure, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'
import {PROBE_RUNTIME, SLEEP_RUNTIME, sleepRequest, sleepMessage, untilMetric, untilSleeping} from './helpers/sleep-runtime.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

const model = (name: string, extra: Record<string, unknown>, settings: Record<string, unknown> = {}) => ({
  [`models/${name}/model-settings.json`]: JSON.stringify({name, implementation: './runtime.ts', parameters: {extra}, ...settings}),
  [`models/${name}/runtime.ts`]: SLEEP_RUNTIME,
})

describe('backpressure and timeouts', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  let client: ReturnType<typeof inferenceClient>
  const infer = (name: string, body: unknown, init: {signal?: AbortSignal} = {}) =>
    fetch(`${server.url}/v2/models/${name}/infer`, {method: 'POST', body: JSON.stringify(body), headers: {'content-type': 'application/json'}, signal: init.signal})

  beforeAll(async () => {
    repo = makeRepo({
      // The server-wide bound is generous; the models override it.
      'settings.json': JSON.stringify({max_queue_size: 100}),
      ...model('slow', {}, {max_queue_size: 2}),
      ...model('hung', {ignore_abort: true}, {max_queue_size: 2, infer_timeout: 0.5}),
      'models/probe/model-settings.json': JSON.stringify({name: 'probe', implementation: './runtime.ts', parameters: {extra: {watch: 'slow'}}}),
      'models/probe/runtime.ts': PROBE_RUNTIME,
      // Hung, and no infer_timeout: its clients wait until it is unloaded.
      ...model('stuck', {ignore_abort: true}),
      'models/probe_stuck/model-settings.json': JSON.stringify({name: 'probe_stuck', implementation: './runtime.ts', parameters: {extra: {watch: 'stuck'}}}),
      'models/probe_stuck/runtime.ts': PROBE_RUNTIME,
      ...model('batched', {}, {max_queue_size: 3, max_batch_size: 3, max_batch_time: 60}),
      ...model('pooled', {busy: true}, {parallel_workers: 1, max_queue_size: 3}),
      'models/mnist/model-settings.json': JSON.stringify({name: 'mnist', implementation: 'sklearn'}),
      'models/mnist/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    })
    server = await startMls(repo.dir, {args: ['--shutdown-grace-period', '1']})
    client = inferenceClient(server.grpcAddress)
  })
  afterAll(async () => {
    client?.close()
    await server?.stop()
    repo?.cleanup()
  })

  it('a full queue answers 503 with Retry-After (REST) and RESOURCE_EXHAUSTED (gRPC); once it drains, requests succeed', async () => {
    const long = [infer('slow', sleepRequest(3000)), infer('slow', sleepRequest(3000))]
    await untilSleeping(server.url, 'probe', 2)
    const refused = await infer('slow', sleepRequest(0))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toEqual({code: 'QUEUE_FULL', error: 'model "slow" has 2 request(s) waiting or running (max_queue_size 2); retry in 1 s'})

    const status = await new Promise<grpc.ServiceError>((resolve, reject) =>
      client.ModelInfer(sleepMessage('slow', 0), (error: grpc.ServiceError | null) => (error ? resolve(error) : reject(new Error('admitted')))),
    )
    expect(grpc.status[status.code]).toBe('RESOURCE_EXHAUSTED')
    expect(status.metadata.get('mls-error-code')).toEqual(['QUEUE_FULL'])
    expect(status.metadata.get('grpc-retry-pushback-ms')).toEqual(['1000'])

    // Other models are not affected.
    expect((await postJson(`${server.url}/v2/models/mnist/infer`, rowRequest(mnist, 0))).body.outputs[0].data).toEqual([mnist.expected.predict[0]])

    for (const response of await Promise.all(long)) expect(response.status).toBe(200)
    const again = await infer('slow', sleepRequest(0))
    expect(again.status).toBe(200)
  })

  it('a hung model answers 504 INFER_TIMEOUT (REST) and DEADLINE_EXCEEDED (gRPC) within infer_timeout; the server keeps serving', async () => {
    const rest = await postJson(`${server.url}/v2/models/hung/infer`, sleepRequest(600_000))
    expect(rest.status).toBe(504)
    expect(rest.body).toEqual({code: 'INFER_TIMEOUT', error: 'model "hung" did not answer within infer_timeout (0.5 s)'})

    const overGrpc = await failure(client, 'ModelInfer', sleepMessage('hung', 600_000))
    expect(overGrpc).toMatchObject({code: 'DEADLINE_EXCEEDED', errorCode: 'INFER_TIMEOUT'})

    expect((await postJson(`${server.url}/v2/models/mnist/infer`, rowRequest(mnist, 1))).body.outputs[0].data).toEqual([mnist.expected.predict[1]])
    // The two timed-out requests still run in the hung runtime and keep their places: the next is refused at once
    // instead of adding to the pile.
    const refused = await postJson(`${server.url}/v2/models/hung/infer`, sleepRequest(0))
    expect(refused.status).toBe(503)
    expect(refused.body.code).toBe('QUEUE_FULL')
  })

  it('a gRPC deadline shorter than the work answers DEADLINE_EXCEEDED and frees the place', async () => {
    for (let i = 0; i < 2; i++) {
      const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
        client.ModelInfer(sleepMessage('slow', 600_000), {deadline: Date.now() + 300}, (e: grpc.ServiceError | null) => (e ? resolve(e) : reject(new Error('answered')))),
      )
      expect(grpc.status[error.code]).toBe('DEADLINE_EXCEEDED')
    }
    // Both places were given back when the deadline passed (the runtime stopped on the signal).
    await untilSleeping(server.url, 'probe', 0)
    expect((await postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(0))).status).toBe(200)
  })

  it('REST clients that disconnect free their places', async () => {
    const controllers = [new AbortController(), new AbortController()]
    const gone = controllers.map((c) => infer('slow', sleepRequest(600_000), {signal: c.signal}).catch((error: Error) => error))
    await untilSleeping(server.url, 'probe', 2)
    expect((await infer('slow', sleepRequest(0))).status).toBe(503)
    for (const c of controllers) c.abort()
    for (const error of await Promise.all(gone)) expect(error).toBeInstanceOf(Error)
    await untilSleeping(server.url, 'probe', 0)
    expect((await postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(0))).status).toBe(200)
  })

  it('gRPC calls that are cancelled free their places', async () => {
    const calls = [0, 1].map(() => client.ModelInfer(sleepMessage('slow', 600_000), () => undefined) as grpc.ClientUnaryCall)
    await untilSleeping(server.url, 'probe', 2)
    for (const call of calls) call.cancel()
    await untilSleeping(server.url, 'probe', 0)
    expect((await postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(0))).status).toBe(200)
  })

  it('requests given up while waiting for their batch leave it, free their places and are never run', async () => {
    // max_batch_size 3, max_batch_time 60 s: a batch runs when three requests are in it; max_queue_size 3.
    const controllers = [new AbortController(), new AbortController()]
    const gone = controllers.map((c) => infer('batched', sleepRequest(0), {signal: c.signal}).catch((error: Error) => error))
    await untilMetric(server, 'batch_request_queue{model="batched",version=""}', 2)
    for (const c of controllers) c.abort()
    await Promise.all(gone)
    await untilMetric(server, 'batch_request_queue{model="batched",version=""}', 0)
    // Three new requests are admitted and fill one batch: the runtime sees exactly their three rows, never the two
    // abandoned ones.
    const bodies = await Promise.all([0, 1, 2].map(async () => (await postJson(`${server.url}/v2/models/batched/infer`, sleepRequest(0))).body))
    for (const body of bodies) expect(body.outputs[0]).toMatchObject({name: 'rows_seen', data: [3]})
  })

  it('requests given up while they wait behind a busy worker thread are skipped when it gets to them', async () => {
    // One worker thread that computes for as long as asked: the first request holds it, two more wait behind it. It
    // computes for longer than the 1 s after which a request given up and still running marks the thread hung: the two
    // given up never started, so the thread is not hung and the first, still wanted, is answered.
    const first = infer('pooled', sleepRequest(2500))
    const controllers = [new AbortController(), new AbortController()]
    const gone = controllers.map((c) => infer('pooled', sleepRequest(0), {signal: c.signal}).catch((error: Error) => error))
    await untilMetric(server, 'parallel_request_queue{model="pooled",version=""}', 3)
    for (const c of controllers) c.abort()
    await Promise.all(gone)
    expect((await first).status).toBe(200)
    // Their places come back once the thread has read the cancellations; the runtime never saw their rows.
    await untilMetric(server, 'parallel_request_queue{model="pooled",version=""}', 0)
    const next = await postJson(`${server.url}/v2/models/pooled/infer`, sleepRequest(0))
    expect(next.body.outputs[0]).toMatchObject({name: 'rows_seen', data: [2]})
  })

  it('unloading a hung model waits shutdown_grace_period for its requests, answers the waiting clients 503, and unloads; it loads again', async () => {
    const rest = postJson(`${server.url}/v2/models/stuck/infer`, sleepRequest(600_000))
    const overGrpc = failure(client, 'ModelInfer', sleepMessage('stuck', 600_000))
    await untilSleeping(server.url, 'probe_stuck', 2)
    const started = Date.now()
    const unload = await postJson(`${server.url}/v2/repository/models/stuck/unload`, {})
    const took = Date.now() - started
    expect(unload.status).toBe(200)
    // The grace period is 1 s here: the unload waited for it, not for the 600 s requests.
    expect(took).toBeGreaterThanOrEqual(900)
    expect(took).toBeLessThan(10_000)
    expect(await rest).toEqual(expect.objectContaining({
      status: 503,
      body: {code: 'MODEL_NOT_READY', error: 'model "stuck" was unloaded while this request ran: it did not finish within shutdown_grace_period (1 s)'},
    }))
    expect(await overGrpc).toMatchObject({code: 'UNAVAILABLE', errorCode: 'MODEL_NOT_READY'})
    await server.expectLog(/model "stuck": 2 request\(s\) still running after shutdown_grace_period \(1 s\); unloading anyway \(2 waiting client\(s\) answered 503 MODEL_NOT_READY\).*event=model_drain_timeout/)
    // Other models kept serving, and the model's repository lock was released: it loads and answers again.
    expect((await postJson(`${server.url}/v2/models/mnist/infer`, rowRequest(mnist, 0))).body.outputs[0].data).toEqual([mnist.expected.predict[0]])
    expect((await postJson(`${server.url}/v2/repository/models/stuck/load`, {})).status).toBe(200)
    const again = await postJson(`${server.url}/v2/models/stuck/infer`, sleepRequest(0))
    expect(again.status).toBe(200)
  })

  it('reports the limits in the metrics as failures of the model and by status', async () => {
    const text = (await request(server.metricsUrl!)).text
    expect(text).toMatch(/rest_server_requests_total\{method="POST",path="\/v2\/models\/:name\/infer",status="503"\} [1-9]/)
    expect(text).toMatch(/rest_server_requests_total\{method="POST",path="\/v2\/models\/:name\/infer",status="504"\} [1-9]/)
    expect(text).toMatch(/model_infer_request_failure_total\{model="hung",version=""\} [1-9]/)
    expect(text).toMatch(/grpc_server_handled_total\{grpc_method="ModelInfer",grpc_code="RESOURCE_EXHAUSTED"\} [1-9]/)
  })
})
