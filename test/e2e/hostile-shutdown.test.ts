/**
 * Hostile round 2, items 6 and 8, through the built CLI.
 *
 * Item 6, a graceful stop under load finishes what it accepted: requests the server has received before SIGTERM are
 * answered 200 (none reset), clients looping on keep-alive connections get 200 or 503 SERVER_STOPPING (our JSON, with
 * Connection: close) and never a reset, probes during the drain answer (live 200, ready 503), and new requests are
 * refused 503 SERVER_STOPPING with Connection: close; the same with --processes 2.
 *
 * Item 8, a replaced cluster worker is sent no traffic before it can serve: under steady load, SIGKILL of a worker of
 * --processes 2 whose model takes a while to load brings no 404 (the replacement listens once it has loaded) and no
 * connection left unanswered (the primary hands connections a dead worker never took to a live one).
 */
import {Agent, request as httpRequest} from 'node:http'
import {afterEach, describe, expect, it} from 'vitest'
import {makeRepo} from './helpers/fixtures.js'
import {call, failure, inferenceClient} from './helpers/grpc-client.js'
import {request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'
import {PROBE_RUNTIME, SLEEP_RUNTIME, sleepMessage, sleepRequest, untilSleeping} from './helpers/sleep-runtime.js'

/** A runtime whose load takes `parameters.extra.load_ms` and whose predict answers at once (input echoed). */
const SLOW_LOAD_RUNTIME = `
import type {InferRequest, RuntimeContext} from 'mls-server'

export default {
  async load(context: RuntimeContext) {
    await new Promise((resolve) => setTimeout(resolve, Number(context.settings.extra.load_ms ?? 0)))
  },
  async predict(request: InferRequest) {
    const input = request.inputs[0]
    return {outputs: [{name: 'echo', datatype: 'FP64', shape: input.shape, data: input.data}]}
  },
}
`

const SLEEP_REPO = {
  'models/slow/model-settings.json': JSON.stringify({name: 'slow', implementation: './runtime.ts'}),
  'models/slow/runtime.ts': SLEEP_RUNTIME,
  'models/probe/model-settings.json': JSON.stringify({name: 'probe', implementation: './runtime.ts', parameters: {extra: {watch: 'slow'}}}),
  'models/probe/runtime.ts': PROBE_RUNTIME,
}

interface Answer {
  readonly status?: number
  readonly connection?: string
  readonly body?: any
  /** The socket error (ECONNRESET, ECONNREFUSED, ...) or 'TIMEOUT' when no answer came in time. */
  readonly error?: string
}

/** One POST (or GET without body) over `agent` (false: a fresh connection); never rejects. */
function send(url: string, body: unknown, agent: Agent | false, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const headers: Record<string, string | number> = data === undefined ? {} : {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)}
    const req = httpRequest(url, {method: data === undefined ? 'GET' : 'POST', agent, headers}, (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () => {
        let parsed: unknown = text
        try {
          parsed = JSON.parse(text)
        } catch {}
        resolve({status: res.statusCode!, connection: res.headers.connection, body: parsed})
      })
      res.on('error', (error: NodeJS.ErrnoException) => resolve({error: error.code ?? error.message}))
    })
    req.setTimeout(timeoutMs, () => {
      req.destroy()
      resolve({error: 'TIMEOUT'})
    })
    req.on('error', (error: NodeJS.ErrnoException) => resolve({error: error.code ?? error.message}))
    req.end(data)
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function exited(server: MlsProcess): Promise<number | null> {
  const child = server.child
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

/**
 * A client on one keep-alive connection at a time, sending `body` to `url` in a loop until `until()` or the
 * listener is gone (ECONNREFUSED: a new connection refused, nothing was sent); bounded by `maxMs`.
 */
async function loop(url: string, body: unknown, until: () => boolean, maxMs: number): Promise<Answer[]> {
  const agent = new Agent({keepAlive: true, maxSockets: 1})
  const answers: Answer[] = []
  const end = Date.now() + maxMs
  try {
    while (!until() && Date.now() < end) {
      const answer = await send(url, body, agent)
      answers.push(answer)
      if (answer.error === 'ECONNREFUSED') break
    }
  } finally {
    agent.destroy()
  }
  return answers
}

/**
 * The stop under load, for one process or several: `held` sleeping requests received before SIGTERM, `clients`
 * keep-alive loops of short requests across it, probes and new requests during the drain.
 */
async function stopUnderLoad(server: MlsProcess, options: {held: number; clients: number; probeHeld: boolean}): Promise<void> {
  const infer = `${server.url}/v2/models/slow/infer`
  // Requests the server has received before the stop: they run 2.5 s, the drain lasts that long.
  const held = Array.from({length: options.held}, () => send(infer, sleepRequest(2500), false))
  // gRPC likewise: a call running at the stop finishes, a new one is UNAVAILABLE SERVER_STOPPING.
  const grpcClient = inferenceClient(server.grpcAddress)
  const heldCall = call(grpcClient, 'ModelInfer', sleepMessage('slow', 2500))
  if (options.probeHeld) await untilSleeping(server.url, 'probe', options.held + 1)
  else await sleep(1000)
  let stopped = false
  const loops = Array.from({length: options.clients}, () => loop(infer, sleepRequest(20), () => stopped, 15_000))
  await sleep(300)
  server.child.kill('SIGTERM')

  // During the drain: probes answer, new requests are refused in our shape, every answer says Connection: close.
  await sleep(300)
  const live = await send(`${server.url}/v2/health/live`, undefined, false)
  const ready = await send(`${server.url}/v2/health/ready`, undefined, false)
  const refused = await send(infer, sleepRequest(0), false)
  const metadata = await send(`${server.url}/v2/models/slow`, undefined, false)
  expect(live).toMatchObject({status: 200, body: {live: true}, connection: 'close'})
  expect(ready).toMatchObject({status: 503, body: {ready: false}, connection: 'close'})
  expect(refused).toEqual({status: 503, connection: 'close', body: {code: 'SERVER_STOPPING', error: 'the server is shutting down and takes no new requests'}})
  expect(metadata).toMatchObject({status: 503, connection: 'close', body: {code: 'SERVER_STOPPING'}})
  expect(await call(grpcClient, 'ServerLive', {})).toEqual({live: true})
  expect(await call(grpcClient, 'ServerReady', {})).toEqual({ready: false})
  expect(await failure(grpcClient, 'ModelInfer', sleepMessage('slow', 0))).toMatchObject({code: 'UNAVAILABLE', errorCode: 'SERVER_STOPPING'})

  for (const answer of await Promise.all(held)) expect(answer).toMatchObject({status: 200, connection: 'close', body: {outputs: [{name: 'rows_seen'}]}})
  expect((await heldCall).outputs[0].name).toBe('rows_seen')
  grpcClient.close()
  stopped = true
  const looped = (await Promise.all(loops)).flat()
  // Before the stop 200 (keep-alive); from it on 200 or 503 SERVER_STOPPING with Connection: close; once the listener
  // has closed, a new connection is refused. Never a reset, a hang or fastify's 503.
  const kinds = new Map<string, number>()
  for (const answer of looped) {
    const kind = answer.error ?? `${answer.status} ${answer.body?.code ?? ''}`.trim()
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  expect([...kinds.keys()].every((kind) => ['200', '503 SERVER_STOPPING', 'ECONNREFUSED'].includes(kind)), JSON.stringify([...kinds])).toBe(true)
  expect(kinds.get('503 SERVER_STOPPING') ?? 0).toBeGreaterThan(0)
  for (const answer of looped) if (answer.status === 503) expect(answer.connection).toBe('close')
  expect(await exited(server)).toBe(0)
  console.log(`stop under load: ${JSON.stringify([...kinds])}`)
}

describe('hostile: graceful shutdown under load (item 6)', () => {
  let repo: ReturnType<typeof makeRepo> | undefined
  let server: MlsProcess | undefined
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
    if (server) await exited(server)
    server = undefined
    repo?.cleanup()
  })

  it('SIGTERM: received requests all answered 200, keep-alive loops never reset, probes answer, new requests 503 SERVER_STOPPING with Connection: close', async () => {
    repo = makeRepo(SLEEP_REPO)
    server = await startMls(repo.dir)
    await stopUnderLoad(server, {held: 20, clients: 6, probeHeld: true})
  }, 30_000)

  it('the same with --processes 2: the primary forwards SIGTERM and each process drains', async () => {
    repo = makeRepo(SLEEP_REPO)
    server = await startMls(repo.dir, {args: ['--processes', '2']})
    // The probe runtime counts one process's sleepers only: wait for the requests to have arrived instead.
    await stopUnderLoad(server, {held: 12, clients: 6, probeHeld: false})
  }, 40_000)
})

describe('hostile: a replaced cluster worker (item 8)', () => {
  let repo: ReturnType<typeof makeRepo> | undefined
  let server: MlsProcess | undefined
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
    if (server) await exited(server)
    server = undefined
    repo?.cleanup()
  })

  it('SIGKILL of a worker under steady load: no 404, no connection left unanswered', async () => {
    repo = makeRepo({
      'models/echo/model-settings.json': JSON.stringify({name: 'echo', implementation: './runtime.ts', parameters: {extra: {load_ms: 1500}}}),
      'models/echo/runtime.ts': SLOW_LOAD_RUNTIME,
    })
    // --debug: each process says when it serves ("process N serving (pid P)"), and only those are killed.
    server = await startMls(repo.dir, {args: ['--processes', '2', '--debug']})
    const infer = `${server.url}/v2/models/echo/infer`
    const body = {inputs: [{name: 'x', shape: [1, 1], datatype: 'FP64', data: [1]}]}
    const serving = () => [...server!.logs().matchAll(/process \d serving \(pid (\d+)\)/g)].map((m) => Number(m[1]))
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    }
    expect(serving().filter(alive)).toHaveLength(2)

    let done = false
    const answers: Answer[] = []
    // Fresh connections (the primary's round robin spreads them), 4 clients, bounded in time.
    const clients = Array.from({length: 4}, async () => {
      const end = Date.now() + 30_000
      while (!done && Date.now() < end) answers.push(await send(infer, body, false, 5000))
    })
    const kills = 3
    for (let i = 0; i < kills; i++) {
      await sleep(1000)
      const before = serving().length
      const victim = serving().filter(alive)[0]
      process.kill(victim, 'SIGKILL')
      // Until the replacement serves (1.5 s of loading and its start), then a while under load with both.
      for (let j = 0; j < 300 && serving().length === before; j++) await sleep(50)
      expect(serving().length).toBe(before + 1)
      await sleep(1000)
    }
    done = true
    await Promise.all(clients)

    const kinds = new Map<string, number>()
    for (const answer of answers) {
      const kind = answer.error ?? `${answer.status} ${answer.body?.code ?? ''}`.trim()
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    }
    const seen = JSON.stringify([...kinds])
    expect(kinds.get('200') ?? 0, seen).toBeGreaterThan(100)
    // A model not loaded yet is never a 404, and no connection waits for an answer that never comes.
    expect(kinds.get('404 MODEL_NOT_FOUND') ?? 0, seen).toBe(0)
    expect(kinds.get('TIMEOUT') ?? 0, seen).toBe(0)
    // A request the killed process was running when it died cannot be answered (its connection is reset): at most one
    // per client per kill. Everything else is 200 or a retryable 503.
    const resets = answers.filter((a) => a.error !== undefined).length
    expect(resets, seen).toBeLessThanOrEqual(kills * 4)
    expect([...kinds.keys()].filter((kind) => !['200', 'ECONNRESET'].includes(kind) && !kind.startsWith('503 ')), seen).toEqual([])
    console.log(`item 8: ${answers.length} requests over ${kills} kills: ${seen}`)
  }, 60_000)
})
