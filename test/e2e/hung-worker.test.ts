/**
 * A runtime that hangs in a worker thread (parallel_workers: 1), against the built CLI: one that computes forever
 * (`for (;;) {}` holds its thread, which then reads no message at all) and one that awaits a promise that never
 * settles. JavaScript cannot stop either; the pool terminates the thread. With shutdown_grace_period 1 s:
 * - an unload during a hung request answers that request 503 MODEL_NOT_READY after the grace period and finishes
 *   (it stayed UNLOADING for good before, and the next load of the model hung behind it); a load then works;
 * - a request given up by infer_timeout (504) that its thread still runs a grace period later gets the thread
 *   terminated and replaced: the model answers again (before, every later request queued behind the hung one);
 * - SIGTERM during a hung request exits within the grace period and a margin, the request answered 503
 *   SERVER_STOPPING.
 * Each request appends its mode to a file as it starts, so the test waits on the runtime having started, not on time.
 */
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {makeRepo} from './helpers/fixtures.js'
import {call, failure, inferenceClient, repositoryClient} from './helpers/grpc-client.js'
import {postJson} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const GRACE_S = 1
/** Room for a busy 2-core machine beyond what the server is asked to wait. */
const MARGIN_MS = 4000

/** mode 0 answers at once with its thread's id; 1 computes forever; 2 awaits forever. */
const HANGING_RUNTIME = (startedFile: string) => `
import {appendFileSync} from 'node:fs'
import {threadId} from 'node:worker_threads'
export default {
  async predict(request) {
    const mode = request.inputs[0].data[0]
    appendFileSync(${JSON.stringify(startedFile)}, mode + '\\n')
    if (mode === 1) for (;;) {}
    if (mode === 2) await new Promise(() => {})
    return {outputs: [{name: 'thread', datatype: 'FP64', shape: [1, 1], data: new Float64Array([threadId])}]}
  },
}
`
const MODES = {busy: 1, await: 2} as const
const body = (mode: number) => ({inputs: [{name: 'mode', shape: [1, 1], datatype: 'FP64', data: [mode]}]})
const message = (model: string, mode: number) => ({model_name: model, inputs: [{name: 'mode', datatype: 'FP64', shape: [1, 1], contents: {fp64s: [mode]}}]})

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

/** A server with model "hung" (and "timed", the same runtime with infer_timeout 1 s), each on one worker thread. */
async function serve(): Promise<{server: MlsProcess; started: string}> {
  const repo = makeRepo({})
  const started = path.join(repo.dir, 'started.txt')
  const files = makeRepo({
    'hung/model-settings.json': JSON.stringify({implementation: './runtime.js', parallel_workers: 1}),
    'hung/runtime.js': HANGING_RUNTIME(started),
    'timed/model-settings.json': JSON.stringify({implementation: './runtime.js', parallel_workers: 1, infer_timeout: 1}),
    'timed/runtime.js': HANGING_RUNTIME(started),
  })
  cleanups.push(repo.cleanup, files.cleanup)
  const server = await startMls(files.dir, {args: ['--shutdown-grace-period', String(GRACE_S)]})
  cleanups.push(() => server.stop('SIGKILL'))
  return {server, started}
}

/** Resolves once the runtime started its `n`-th request (at most 10 s, polling every 20 ms). */
async function untilStarted(file: string, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (existsSync(file) && readFileSync(file, 'utf8').split('\n').filter(Boolean).length >= n) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`the runtime never started request ${n}`)
}

/** A REST POST of JSON bounded in time: a hang is a TimeoutError (a test failure), not a stuck test. */
async function timed(url: string, value: unknown, ms: number): Promise<{status: number; body: any}> {
  const response = await fetch(url, {method: 'POST', body: JSON.stringify(value), headers: {'content-type': 'application/json'}, signal: AbortSignal.timeout(ms)})
  const text = await response.text()
  return {status: response.status, body: text === '' ? undefined : JSON.parse(text)}
}

const stateOf = async (server: MlsProcess, name: string) =>
  ((await postJson(server.url + '/v2/repository/index', {})).body as Array<{name: string; state: string; reason: string}>).find((m) => m.name === name)

describe('parallel_workers: 1, a runtime that hangs, shutdown_grace_period 1 s', () => {
  for (const [label, mode] of Object.entries(MODES)) {
    it(`${label}: unload during a hung request answers it 503 and finishes; the model is UNAVAILABLE; a load again answers`, async () => {
      const {server, started} = await serve()
      const hung = timed(`${server.url}/v2/models/hung/infer`, body(mode), GRACE_S * 1000 + MARGIN_MS)
      await untilStarted(started, 1)
      const before = performance.now()
      const unload = await timed(`${server.url}/v2/repository/models/hung/unload`, {}, GRACE_S * 1000 + MARGIN_MS)
      expect(unload.status).toBe(200)
      expect(performance.now() - before).toBeLessThan(GRACE_S * 1000 + MARGIN_MS)
      const answer = await hung
      expect(answer.status).toBe(503)
      expect(answer.body).toEqual({code: 'MODEL_NOT_READY', error: `model "hung" was unloaded while this request ran: it did not finish within shutdown_grace_period (${GRACE_S} s)`})
      expect(await stateOf(server, 'hung')).toMatchObject({state: 'UNAVAILABLE', reason: 'unloaded'})
      await server.expectLog(/worker 1 of model "hung": it was still running 1 request\(s\) and was terminated/)

      const load = await timed(`${server.url}/v2/repository/models/hung/load`, {}, 20_000)
      expect(load.status).toBe(200)
      const again = await timed(`${server.url}/v2/models/hung/infer`, body(0), 10_000)
      expect(again.status).toBe(200)
      expect(again.body.outputs[0].name).toBe('thread')
      // The other model was never disturbed.
      expect((await timed(`${server.url}/v2/models/timed/infer`, body(0), 10_000)).status).toBe(200)
    }, 60_000)
  }

  it('over gRPC: a hung ModelInfer is UNAVAILABLE MODEL_NOT_READY when RepositoryModelUnload finishes; RepositoryModelLoad then serves', async () => {
    const {server, started} = await serve()
    const client = inferenceClient(server.grpcAddress)
    const repository = repositoryClient(server.grpcAddress)
    cleanups.push(() => client.close(), () => repository.close())
    const deadline = () => ({deadline: Date.now() + GRACE_S * 1000 + MARGIN_MS})
    const hung = new Promise<{code: string; errorCode: unknown}>((resolve) =>
      client.ModelInfer(message('hung', MODES.busy), deadline(), (error: any) => resolve({code: error ? String(error.code) : 'OK', errorCode: error?.metadata.get('mls-error-code')[0]})),
    )
    await untilStarted(started, 1)
    await new Promise<void>((resolve, reject) => repository.RepositoryModelUnload({model_name: 'hung'}, deadline(), (error: unknown) => (error ? reject(error) : resolve())))
    expect(await hung).toEqual({code: '14', errorCode: 'MODEL_NOT_READY'}) // 14: UNAVAILABLE
    expect(await failure(client, 'ModelInfer', message('hung', 0))).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_UNAVAILABLE'})
    await call(repository, 'RepositoryModelLoad', {model_name: 'hung'})
    expect((await call(client, 'ModelInfer', message('hung', 0))).outputs[0].name).toBe('thread')
  }, 60_000)

  for (const [label, mode] of Object.entries(MODES)) {
    it(`${label}: a request given up by infer_timeout (504) gets its hung thread terminated and replaced; the model answers again`, async () => {
      const {server, started} = await serve()
      const first = await timed(`${server.url}/v2/models/timed/infer`, body(mode), 10_000)
      expect(first.status).toBe(504)
      expect(first.body.code).toBe('INFER_TIMEOUT')
      await untilStarted(started, 1)
      // The thread is terminated a grace period after the 504, and a replacement loads: asked every 100 ms for at most
      // 10 s, the model answers 200 again (meanwhile 503 MODEL_NOT_READY, or 504 while the hung thread still holds).
      const seen = new Set<string>()
      let answered = false
      for (let i = 0; i < 100 && !answered; i++) {
        const res = await timed(`${server.url}/v2/models/timed/infer`, body(0), 5000)
        seen.add(`${res.status} ${res.body.code ?? ''}`.trim())
        answered = res.status === 200
        if (!answered) await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(answered, `answers seen: ${[...seen].join(', ')}`).toBe(true)
      expect([...seen].every((s) => ['200', '503 MODEL_NOT_READY', '504 INFER_TIMEOUT'].includes(s)), [...seen].join(', ')).toBe(true)
      await server.expectLog(/worker 1 of model "timed" died: it was terminated: a request given up on it was still running shutdown_grace_period \(1 s\) later \(a hung runtime\)/)
      await server.expectLog(/worker 1 of model "timed" replaced/)
      expect((await stateOf(server, 'timed'))?.state).toBe('READY')
    }, 60_000)
  }

  it('SIGTERM during a hung request: the request is answered 503 SERVER_STOPPING and mls exits within the grace period and a margin', async () => {
    const {server, started} = await serve()
    const hung = timed(`${server.url}/v2/models/hung/infer`, body(MODES.busy), GRACE_S * 1000 + MARGIN_MS)
    const hung2 = timed(`${server.url}/v2/models/timed/infer`, body(MODES.await), GRACE_S * 1000 + MARGIN_MS)
    await untilStarted(started, 2)
    const before = performance.now()
    const code = await server.stop('SIGTERM')
    expect(performance.now() - before).toBeLessThan(GRACE_S * 1000 + MARGIN_MS)
    expect(code).toBe(1) // the grace period ran out before the hung request finished
    const answer = await hung
    expect(answer.status).toBe(503)
    expect(answer.body.code).toBe('SERVER_STOPPING')
    // "timed" has infer_timeout 1 s, as long as the grace period: either answer is the server's own.
    expect(['SERVER_STOPPING', 'INFER_TIMEOUT']).toContain((await hung2).body.code)
  }, 60_000)
})
