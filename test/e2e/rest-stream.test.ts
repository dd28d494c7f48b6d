/**
 * REST streaming (infer_stream / generate_stream, Server-Sent Events) and the generate alias, against the built CLI:
 * a streaming custom runtime's results arrive as events while it produces them; a plain model answers one event; an
 * error before the first event is an HTTP error, one after it an `event: error`; a client that goes away stops the
 * runtime's generator; infer_timeout and max_queue_size hold as for infer; worker threads and adaptive batching answer
 * through predict.
 */
import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {BIN, REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'
import {post, readEvents} from './helpers/sse.js'
import {TOKEN_RUNTIME, tokenRequest} from './helpers/token-runtime.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const tokens = (events: Array<{data: any}>) => events.map((e) => e.data.outputs[0].data[0])
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs the CLI and records when each stdout line arrived (ms since the spawn); killed after 20 s. */
function runTimed(args: string[]): Promise<{code: number | null; lines: Array<{text: string; at: number}>; stderr: string}> {
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, [BIN, ...args], {cwd: REPO_ROOT, env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
    const lines: Array<{text: string; at: number}> = []
    let partial = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n')
      partial = parts.pop()!
      for (const text of parts) lines.push({text, at: performance.now() - started})
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({code, lines, stderr})
    })
  })
}

describe('REST infer_stream', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  let stoppedFile: string

  beforeAll(async () => {
    const settings = (name: string, extra: Record<string, unknown> = {}, more: Record<string, unknown> = {}) =>
      JSON.stringify({name, implementation: './runtime.ts', inputs: [{name: 'n', datatype: 'FP64', shape: [-1, 3]}], ...more, parameters: {version: '1', extra}})
    repo = makeRepo({
      'models/generator/model-settings.json': settings('generator'),
      'models/generator/runtime.ts': TOKEN_RUNTIME,
      'models/watched/model-settings.json': settings('watched', {stopped_file: '__STOPPED__'}, {max_queue_size: 1}),
      'models/watched/runtime.ts': TOKEN_RUNTIME,
      'models/timed/model-settings.json': settings('timed', {}, {infer_timeout: 0.3}),
      'models/timed/runtime.ts': TOKEN_RUNTIME,
      'models/threaded/model-settings.json': settings('threaded', {}, {parallel_workers: 1}),
      'models/threaded/runtime.ts': TOKEN_RUNTIME,
      'models/batched/model-settings.json': settings('batched', {}, {max_batch_size: 4, max_batch_time: 0.01}),
      'models/batched/runtime.ts': TOKEN_RUNTIME,
      'models/mnist/model-settings.json': JSON.stringify({name: 'mnist', implementation: 'sklearn'}),
      'models/mnist/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    })
    stoppedFile = path.join(repo.dir, 'stopped.txt')
    writeFileSync(stoppedFile, '')
    const watched = path.join(repo.dir, 'models/watched/model-settings.json')
    writeFileSync(watched, readFileSync(watched, 'utf8').replace('__STOPPED__', stoppedFile.replaceAll('\\', '\\\\')))
    server = await startMls(repo.dir, {args: ['--debug']})
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  it('sends each result as a `data:` event as the runtime yields it, with the headers that keep proxies from buffering', async () => {
    const response = await post(`${server.url}/v2/models/generator/infer_stream`, tokenRequest(4, 250, -1, {id: 'req-1'}))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    expect(response.headers.get('cache-control')).toBe('no-cache')
    expect(response.headers.get('x-accel-buffering')).toBe('no')
    const events = await readEvents(response)
    expect(events.map((e) => e.event)).toEqual(['message', 'message', 'message', 'message'])
    expect(tokens(events)).toEqual([0, 1, 2, 3])
    expect(events[0].data).toEqual({model_name: 'generator', model_version: '1', id: 'req-1', outputs: [{name: 'token', datatype: 'FP64', shape: [1, 1], data: [0]}]})
    // Each event arrives when produced (the first at once, then 250 ms apart), not all at the end.
    expect(events[3].at - events[0].at).toBeGreaterThan(600)
    for (let i = 1; i < 4; i++) expect(events[i].at - events[i - 1].at).toBeGreaterThan(150)
  })

  it('frames events exactly as MLServer: `data: <json>\\n\\n`, nothing else', async () => {
    const response = await post(`${server.url}/v2/models/generator/versions/1/infer_stream`, tokenRequest(2, 0, -1, {id: 'x'}))
    const text = await response.text()
    const json = (t: number) => JSON.stringify({model_name: 'generator', model_version: '1', id: 'x', outputs: [{name: 'token', shape: [1, 1], datatype: 'FP64', data: [t]}]})
    expect(text).toBe(`data: ${json(0)}\n\ndata: ${json(1)}\n\n`)
  })

  it('is never compressed (gzip_enabled is on by default): events above gzip_minimum_size still leave one by one', async () => {
    const id = 'i'.repeat(2000)
    const response = await post(`${server.url}/v2/models/generator/infer_stream`, tokenRequest(3, 250, -1, {id}), {'accept-encoding': 'gzip, deflate'})
    expect(response.headers.get('content-encoding')).toBeNull()
    const events = await readEvents(response)
    expect(events.map((e) => e.data.id === id)).toEqual([true, true, true])
    expect(events[2].at - events[0].at).toBeGreaterThan(400)
    // The same answer as one JSON body is compressed.
    const infer = await fetch(`${server.url}/v2/models/generator/infer`, {method: 'POST', body: JSON.stringify(tokenRequest(3, 0, -1, {id})), headers: {'content-type': 'application/json', 'accept-encoding': 'gzip'}})
    expect(infer.headers.get('content-encoding')).toBe('gzip')
  })

  it('a model whose runtime does not stream answers one event: the infer answer', async () => {
    const body = rowRequest(mnist, 0, 'predict')
    const infer = await postJson(`${server.url}/v2/models/mnist/infer`, {...body, id: 'one'})
    const response = await post(`${server.url}/v2/models/mnist/infer_stream`, {...body, id: 'one'})
    expect(response.status).toBe(200)
    const events = await readEvents(response)
    expect(events).toHaveLength(1)
    expect(events[0].data).toEqual(infer.body)
  })

  it('an error before the first event is an ordinary HTTP error answer', async () => {
    const unknown = await post(`${server.url}/v2/models/nope/infer_stream`, tokenRequest(1))
    expect(unknown.status).toBe(404)
    expect(unknown.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await unknown.json()).toMatchObject({code: 'MODEL_NOT_FOUND'})

    const badVersion = await post(`${server.url}/v2/models/generator/versions/9/infer_stream`, tokenRequest(1))
    expect(badVersion.status).toBe(404)
    expect(await badVersion.json()).toMatchObject({code: 'MODEL_VERSION_NOT_FOUND'})

    const badInput = await post(`${server.url}/v2/models/generator/infer_stream`, {inputs: [{name: 'n', datatype: 'FP64', shape: [1, 3], data: [1]}]})
    expect(badInput.status).toBe(400)
    expect(await badInput.json()).toMatchObject({code: 'INVALID_DATA'})

    // The runtime throws before its first result.
    const failed = await post(`${server.url}/v2/models/generator/infer_stream`, tokenRequest(3, 0, 0))
    expect(failed.status).toBe(400)
    expect(await failed.json()).toEqual({code: 'INFERENCE_FAILED', error: expect.stringContaining('the generator failed at token 0')})
  })

  it('an error after the first event is an `event: error` with the error body, and the stream ends', async () => {
    const response = await post(`${server.url}/v2/models/generator/infer_stream`, tokenRequest(5, 0, 2))
    expect(response.status).toBe(200)
    const events = await readEvents(response)
    expect(events.map((e) => e.event)).toEqual(['message', 'message', 'error'])
    expect(tokens(events.slice(0, 2))).toEqual([0, 1])
    expect(events[2].data).toEqual({code: 'INFERENCE_FAILED', error: expect.stringContaining('the generator failed at token 2')})
  })

  it("a client that goes away stops the runtime's generator and frees the model's queue place", async () => {
    const controller = new AbortController()
    const response = await post(`${server.url}/v2/models/watched/infer_stream`, tokenRequest(1000, 20), {}, controller.signal)
    const events = await readEvents(response, {stopAfter: 2})
    expect(tokens(events)).toEqual([0, 1])
    controller.abort()
    let stopped = ''
    for (let i = 0; i < 200 && stopped === ''; i++) {
      await sleep(25)
      stopped = readFileSync(stoppedFile, 'utf8')
    }
    const after = Number(/^stopped after (\d+)\n$/.exec(stopped)?.[1])
    expect(after).toBeGreaterThanOrEqual(2)
    expect(after).toBeLessThan(100)
    // max_queue_size is 1: the place is free again, so a new stream is taken.
    let again: Response | undefined
    for (let i = 0; i < 40; i++) {
      again = await post(`${server.url}/v2/models/watched/infer_stream`, tokenRequest(2))
      if (again.status === 200) break
      await again.text()
      await sleep(25)
    }
    expect(tokens(await readEvents(again!))).toEqual([0, 1])
  })

  it('a client that goes away while the runtime is inside a long step frees the queue place at once; the generator stops when the step ends', async () => {
    writeFileSync(stoppedFile, '')
    const controller = new AbortController()
    const response = await post(`${server.url}/v2/models/watched/infer_stream`, tokenRequest(3, 1500), {}, controller.signal)
    expect(tokens(await readEvents(response, {stopAfter: 1}))).toEqual([0])
    const left = performance.now()
    controller.abort()
    // max_queue_size is 1, and the runtime sleeps 1.5 s before its next result: the place is given back without waiting for it.
    let again: Response | undefined
    for (let i = 0; i < 40; i++) {
      again = await post(`${server.url}/v2/models/watched/infer_stream`, tokenRequest(1))
      if (again.status === 200) break
      await again.text()
      await sleep(25)
    }
    expect(again!.status).toBe(200)
    expect(performance.now() - left).toBeLessThan(1000)
    expect(tokens(await readEvents(again!))).toEqual([0])
    let stopped = ''
    for (let i = 0; i < 200 && !stopped.includes('stopped after 1'); i++) {
      await sleep(25)
      stopped = readFileSync(stoppedFile, 'utf8')
    }
    expect(stopped.split('\n').filter(Boolean).sort()).toEqual(['done', 'stopped after 1'])
  })

  it('an open stream holds its place in the queue (max_queue_size): another is refused 503 QUEUE_FULL before any event', async () => {
    const controller = new AbortController()
    const open = await post(`${server.url}/v2/models/watched/infer_stream`, tokenRequest(1000, 20), {}, controller.signal)
    const reader = open.body!.getReader()
    await reader.read()
    const refused = await post(`${server.url}/v2/models/watched/infer_stream`, tokenRequest(1))
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).not.toBeNull()
    expect(await refused.json()).toMatchObject({code: 'QUEUE_FULL'})
    controller.abort()
  })

  it('infer_timeout bounds the whole stream: past it, an `event: error` 504 INFER_TIMEOUT ends it', async () => {
    const started = performance.now()
    const response = await post(`${server.url}/v2/models/timed/infer_stream`, tokenRequest(100, 50))
    const events = await readEvents(response)
    expect(performance.now() - started).toBeLessThan(2000)
    const last = events.at(-1)!
    expect(last.event).toBe('error')
    expect(last.data).toMatchObject({code: 'INFER_TIMEOUT'})
    expect(events.length).toBeGreaterThan(1)
    expect(events.length).toBeLessThan(10)
  })

  it('worker threads and adaptive batching answer through predict: one event', async () => {
    for (const model of ['threaded', 'batched']) {
      const response = await post(`${server.url}/v2/models/${model}/infer_stream`, tokenRequest(3, 0))
      expect(response.status).toBe(200)
      const events = await readEvents(response)
      expect(events.map((e) => [e.event, e.data.model_name, e.data.outputs[0].data])).toEqual([['message', model, [3]]])
    }
  })

  it('takes a binary tensor data request; the events are JSON', async () => {
    const header = Buffer.from(JSON.stringify({inputs: [{name: 'n', datatype: 'FP64', shape: [1, 3], parameters: {binary_data_size: 24}}], parameters: {binary_data_output: true}}))
    const body = Buffer.concat([header, Buffer.from(new Float64Array([2, 0, -1]).buffer)])
    const response = await fetch(`${server.url}/v2/models/generator/infer_stream`, {
      method: 'POST',
      body,
      headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length)},
    })
    expect(response.status).toBe(200)
    expect(tokens(await readEvents(response))).toEqual([0, 1])
  })

  it('generate is infer and generate_stream is infer_stream, with and without a version', async () => {
    const body = {...tokenRequest(2), id: 'g'}
    const infer = await postJson(`${server.url}/v2/models/generator/infer`, body)
    for (const base of ['/v2/models/generator', '/v2/models/generator/versions/1']) {
      const generate = await postJson(`${server.url}${base}/generate`, body)
      expect(generate.status).toBe(200)
      expect(generate.body).toEqual(infer.body)
      const stream = await post(`${server.url}${base}/generate_stream`, body)
      expect(stream.headers.get('content-type')).toBe('text/event-stream')
      expect(tokens(await readEvents(stream))).toEqual([0, 1])
    }
    const missing = await postJson(`${server.url}/v2/models/nope/generate`, body)
    expect(missing.status).toBe(404)
  })

  it('metrics and the access log name each route by its template', async () => {
    await readEvents(await post(`${server.url}/v2/models/generator/generate_stream`, tokenRequest(1)))
    const text = (await request(server.metricsUrl!)).text
    expect(text).toMatch(/rest_server_requests_total\{method="POST",path="\/v2\/models\/:name\/generate_stream",status="200"\} [1-9]/)
    expect(text).toMatch(/rest_server_requests_total\{method="POST",path="\/v2\/models\/:name\/versions\/:version\/infer_stream",status="200"\} [1-9]/)
    expect(text).toMatch(/rest_server_requests_total\{method="POST",path="\/v2\/models\/:name\/generate",status="200"\} [1-9]/)
    await server.expectLog('POST /v2/models/generator/generate_stream 200')
  })
})

describe('mls infer --stream', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess

  beforeAll(async () => {
    repo = makeRepo({
      'models/generator/model-settings.json': JSON.stringify({name: 'generator', implementation: './runtime.ts', inputs: [{name: 'n', datatype: 'FP64', shape: [-1, 3]}]}),
      'models/generator/runtime.ts': TOKEN_RUNTIME,
      'models/mnist/model-settings.json': JSON.stringify({name: 'mnist', implementation: 'sklearn'}),
      'models/mnist/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    })
    server = await startMls(repo.dir)
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  it.each(['rest', 'grpc'])('prints each answer as it arrives, in order (%s, --json: one line each)', async (transport) => {
    const at = transport === 'rest' ? ['--url', server.url] : ['--grpc', '--grpc-url', server.grpcAddress]
    const {code, lines, stderr} = await runTimed(['infer', '-m', 'generator', '--data', JSON.stringify(tokenRequest(4, 300)), '--stream', '--json', ...at])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(lines.map((l) => JSON.parse(l.text).outputs[0].data[0])).toEqual([0, 1, 2, 3])
    // About 300 ms apart as the runtime yields them, not all at once at the end.
    expect(lines[3].at - lines[0].at).toBeGreaterThan(600)
  })

  it('prints a table per answer; a plain model prints one', async () => {
    const streamed = await runTimed(['infer', '-m', 'generator', '--data', JSON.stringify(tokenRequest(2)), '--stream', '--url', server.url])
    expect(streamed.code).toBe(0)
    expect(streamed.lines.filter((l) => l.text.startsWith('generator')).length).toBe(2)
    expect(streamed.lines.filter((l) => l.text.startsWith('token')).length).toBe(2)
    const plain = await runTimed(['infer', '-m', 'mnist', '--data', JSON.stringify(mnist.request.inputs[0].data.slice(0, 64)), '--stream', '--url', server.url])
    expect(plain.code).toBe(0)
    expect(plain.lines.filter((l) => l.text.startsWith('mnist')).length).toBe(1)
    expect(plain.lines.some((l) => l.text.startsWith('predict'))).toBe(true)
  })

  it.each(['rest', 'grpc'])('an error mid-stream: the answers before it, then the error and exit 1 (%s)', async (transport) => {
    const at = transport === 'rest' ? ['--url', server.url] : ['--grpc', '--grpc-url', server.grpcAddress]
    const {code, lines, stderr} = await runTimed(['infer', '-m', 'generator', '--data', JSON.stringify(tokenRequest(5, 0, 2)), '--stream', '--json', ...at])
    expect(code).toBe(1)
    // With --json everything is on stdout, one JSON document a line: the answers, then the error (docs/cli.md).
    const documents = lines.map((l) => JSON.parse(l.text))
    expect(documents.slice(0, -1).map((d) => d.outputs[0].data[0])).toEqual([0, 1])
    expect(documents.at(-1).error).toMatchObject({code: 'INFERENCE_FAILED', exit_code: 1})
    expect(documents.at(-1).error.message).toMatch(/the generator failed at token 2/)
    expect(stderr).toBe('')
  })
})

describe('infer_stream and a graceful stop (SIGTERM)', () => {
  it('a stream open at SIGTERM goes on within shutdown_grace_period, then ends with `event: error` SERVER_STOPPING; a short one finishes', async () => {
    const repo = makeRepo({
      'models/generator/model-settings.json': JSON.stringify({name: 'generator', implementation: './runtime.ts', inputs: [{name: 'n', datatype: 'FP64', shape: [-1, 3]}]}),
      'models/generator/runtime.ts': TOKEN_RUNTIME,
    })
    const server = await startMls(repo.dir, {args: ['--shutdown-grace-period', '1']})
    try {
      const long = await post(`${server.url}/v2/models/generator/infer_stream`, tokenRequest(1000, 50))
      const short = await post(`${server.url}/v2/models/generator/infer_stream`, tokenRequest(5, 100))
      const longReader = readEvents(long)
      const shortReader = readEvents(short)
      await sleep(100)
      const stopped = performance.now()
      const exited = server.stop('SIGTERM')
      const [longEvents, shortEvents] = await Promise.all([longReader, shortReader])
      expect(tokens(shortEvents)).toEqual([0, 1, 2, 3, 4])
      const last = longEvents.at(-1)!
      expect(last.event).toBe('error')
      expect(last.data).toMatchObject({code: 'SERVER_STOPPING'})
      // Events went on during the grace period (about 1 s of 50 ms steps).
      expect(longEvents.filter((e) => e.at > stopped).length).toBeGreaterThan(5)
      expect(await exited).toBe(1)
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL')
      repo.cleanup()
    }
  })
})

describe('infer_stream under memory_budget', () => {
  it('a stream to a streaming runtime not in memory loads it first, then streams through predictStream', async () => {
    const repo = makeRepo({
      'settings.json': JSON.stringify({load_models_at_startup: false, memory_budget: '10MiB'}),
      'models/generator/model-settings.json': JSON.stringify({name: 'generator', implementation: './runtime.ts', memory: '1MiB', inputs: [{name: 'n', datatype: 'FP64', shape: [-1, 3]}]}),
      'models/generator/runtime.ts': TOKEN_RUNTIME,
    })
    const server = await startMls(repo.dir)
    try {
      const response = await post(`${server.url}/v2/models/generator/infer_stream`, tokenRequest(3))
      expect(response.status).toBe(200)
      expect(tokens(await readEvents(response))).toEqual([0, 1, 2])
    } finally {
      await server.stop()
      repo.cleanup()
    }
  })
})
