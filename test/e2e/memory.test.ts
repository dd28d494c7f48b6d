/**
 * Memory-aware serving on the built CLI (memory_budget): versions load on demand, the least recently used idle ones
 * are evicted to make room, pinned ones stay, a minimum residency holds, MEMORY_EXHAUSTED when a version cannot fit,
 * eviction waits for in-flight requests, and explicit load / unload keep their meaning. Sizes are stated in
 * model-settings.json (`memory`) so the budget's arithmetic is exact; the models are real (the example's XGBoost
 * model, a sleeping custom runtime).
 */
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {call, failure, inferenceClient, typed} from './helpers/grpc-client.js'
import {MUSHROOM_DIR, makeRepo, readTestSet, rowRequest, type RepoFiles} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'
import {SLEEP_RUNTIME, sleepRequest} from './helpers/sleep-runtime.js'

const MIB = 1024 * 1024
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const XGB_REQUEST = rowRequest(mushroom, 0)
const XGB_EXPECTED = mushroom.expected[Object.keys(mushroom.expected)[0]!]![0]

/** An XGBoost model (the example's mushroom forest) named `name`, stated to hold `memory`. */
const xgb = (name: string, settings: Record<string, unknown> = {}): RepoFiles => ({
  [`models/${name}/model-settings.json`]: JSON.stringify({name, implementation: 'xgboost', memory: '4MiB', ...settings}),
  [`models/${name}/model.json`]: {copy: path.join(MUSHROOM_DIR, 'model.json')},
})
const sleeper = (name: string, settings: Record<string, unknown> = {}): RepoFiles => ({
  [`models/${name}/model-settings.json`]: JSON.stringify({name, implementation: './runtime.ts', memory: '4MiB', ...settings}),
  [`models/${name}/runtime.ts`]: SLEEP_RUNTIME,
})
const settingsFile = (value: Record<string, unknown>): RepoFiles => ({'settings.json': JSON.stringify({load_models_at_startup: false, memory_min_residency: 0.2, ...value})})

/** Yields x then 2x per request, then the count (as test/e2e/stream.test.ts's). */
const STREAMING_RUNTIME = `
import type {InferRequest} from 'mls-server'
export default {
  async predict(request: InferRequest) {
    return {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([-1])}]}
  },
  async *predictStream(requests: AsyncIterable<InferRequest>) {
    let n = 0
    for await (const request of requests) {
      const x = (request.inputs[0].data as Float64Array)[0]
      n++
      yield {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([x])}]}
      yield {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([2 * x])}]}
    }
    yield {outputs: [{name: 'count', datatype: 'FP64', shape: [1, 1], data: new Float64Array([n])}]}
  },
}
`

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function serve(files: RepoFiles, args: string[] = []): Promise<MlsProcess> {
  const repo = makeRepo(files)
  cleanups.push(repo.cleanup)
  const server = await startMls(repo.dir, {args})
  cleanups.push(() => server.stop())
  return server
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function index(server: MlsProcess): Promise<Record<string, {state: string; reason: string; memory_bytes?: number; memory_source?: string; pinned?: boolean; last_used?: string}>> {
  const items = (await postJson(`${server.url}/v2/repository/index`, {})).body as Array<{name: string; state: string; reason: string}>
  return Object.fromEntries(items.map((item) => [item.name, item])) as never
}

async function inferXgb(server: MlsProcess, name: string) {
  return postJson(`${server.url}/v2/models/${name}/infer`, XGB_REQUEST)
}

/**
 * How many lines of the server's log match `pattern`, counted once one has arrived (`expectLog`) and a moment later: a
 * log line is written off the turn that made it, so the line a request caused can reach the pipe just after the answer.
 */
async function logLines(server: MlsProcess, pattern: RegExp): Promise<number> {
  await server.expectLog(pattern)
  await sleep(200)
  return server.logs().split('\n').filter((line) => pattern.test(line)).length
}
const loadedLines = (server: MlsProcess, name: string) => logLines(server, new RegExp(`model "${name}".*event=model_loaded`))

describe('memory_budget: load on demand and LRU eviction', () => {
  it('versions start NOT_LOADED and ready, load on their first request, and the least recently used idle one makes room', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('a'), ...xgb('b'), ...xgb('c')})
    let models = await index(server)
    for (const name of ['a', 'b', 'c']) {
      expect(models[name]).toMatchObject({state: 'NOT_LOADED', reason: 'not in memory; loads on the next request', memory_bytes: 4 * MIB, memory_source: 'stated'})
    }
    expect((await request(`${server.url}/v2/health/ready`)).status).toBe(200)
    expect((await request(`${server.url}/v2/models/a/ready`)).status).toBe(200)

    const first = await inferXgb(server, 'a')
    expect(first.status).toBe(200)
    expect(first.body.outputs[0].data[0]).toBeCloseTo(XGB_EXPECTED, 4)
    expect((await inferXgb(server, 'b')).status).toBe(200)
    models = await index(server)
    expect(models.a!.state).toBe('READY')
    expect(models.b!.state).toBe('READY')
    expect(models.a!.last_used).toMatch(/^\d{4}-\d\d-\d\dT/)

    await sleep(300) // past memory_min_residency (0.2 s)
    expect((await inferXgb(server, 'c')).status).toBe(200)
    models = await index(server)
    expect(models.a).toMatchObject({state: 'NOT_LOADED', reason: 'evicted (least recently used); loads on the next request'})
    expect(models.b!.state).toBe('READY')
    expect(models.c!.state).toBe('READY')

    // b used after c: c is now the least recently used, and makes room for a.
    await sleep(300)
    expect((await inferXgb(server, 'b')).status).toBe(200)
    expect((await inferXgb(server, 'a')).status).toBe(200)
    models = await index(server)
    expect([models.a!.state, models.b!.state, models.c!.state]).toEqual(['READY', 'READY', 'NOT_LOADED'])
    await server.expectLog(/model "c" evicted \(least recently used\) to make room: 4 MiB freed/)
  })

  it('metrics count loads by reason, evictions, hits and misses, and show the budget and each resident version', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('a'), ...xgb('b'), ...xgb('c')})
    for (const name of ['a', 'a', 'b']) expect((await inferXgb(server, name)).status).toBe(200)
    await sleep(300)
    expect((await inferXgb(server, 'c')).status).toBe(200) // evicts a
    expect((await postJson(`${server.url}/v2/repository/models/a/load`, {})).status).toBe(200) // evicts b
    const text = await (await fetch(server.metricsUrl!)).text()
    const value = (pattern: string): number => {
      const line = text.split('\n').find((l) => new RegExp(`^${pattern} `).test(l))
      if (line === undefined) throw new Error(`no sample ${pattern} in\n${text}`)
      return Number(line.split(' ').at(-1))
    }
    expect(value('memory_budget_bytes')).toBe(10 * MIB)
    expect(value('models_memory_bytes')).toBe(8 * MIB)
    expect(value('model_memory_bytes\\{model="a",version=""\\}')).toBe(4 * MIB)
    expect(value('model_loads_total\\{model="a",version="",reason="request"\\}')).toBe(1)
    expect(value('model_loads_total\\{model="a",version="",reason="explicit"\\}')).toBe(1)
    expect(value('model_evictions_total\\{model="a",version=""\\}')).toBe(1)
    expect(value('model_evictions_total\\{model="b",version=""\\}')).toBe(1)
    expect(value('model_residency_requests_total\\{result="hit"\\}')).toBe(1)
    expect(value('model_residency_requests_total\\{result="miss"\\}')).toBe(3)
    expect(value('model_load_duration_seconds_count\\{model="c",version=""\\}')).toBe(1)
    expect(value('model_eviction_age_seconds_count')).toBe(2)
    expect(text).not.toMatch(/^model_memory_bytes\{model="b"/m)
  })

  it('mls repo list shows each version\'s size, residency and last use', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('a'), ...xgb('b', {pinned: true})})
    expect((await inferXgb(server, 'a')).status).toBe(200)
    const listed = await runMls(['repo', 'list', '--url', server.url])
    expect(listed.code).toBe(0)
    const rows = listed.stdout.replace(/\u001b\[[0-9;]*m/g, '').split('\n')
    expect(rows[0]).toMatch(/NAME\s+VERSION\s+STATE\s+SIZE\s+RESIDENCY\s+LAST USED/)
    expect(rows.find((row) => row.startsWith('a '))).toMatch(/READY\s+4 MiB\s+in memory\s+\d+ s ago/)
    expect(rows.find((row) => row.startsWith('b '))).toMatch(/READY\s+4 MiB\s+pinned/)
  })

  it('concurrent requests for a version not in memory share one load; gRPC loads on demand too and says ready', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('a')})
    const answers = await Promise.all(Array.from({length: 12}, () => inferXgb(server, 'a')))
    expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200))
    expect(await loadedLines(server, 'a')).toBe(1)

    const grpcServer = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('g')})
    const client = inferenceClient(grpcServer.grpcAddress)
    cleanups.push(() => client.close())
    expect(await call(client, 'ModelReady', {name: 'g'})).toMatchObject({ready: true})
    const reply = await call(client, 'ModelInfer', typed('g', mushroom))
    expect(reply.model_name).toBe('g')
    expect((await index(grpcServer)).g!.state).toBe('READY')
  })

  it('a gRPC stream opened to a streaming runtime not in memory waits for its load, then streams through predictStream', async () => {
    const server = await serve({
      ...settingsFile({memory_budget: '10MiB'}),
      'models/streamer/model-settings.json': JSON.stringify({name: 'streamer', implementation: './runtime.ts', memory: '1MiB', inputs: [{name: 'x', datatype: 'FP64', shape: [-1, 1]}]}),
      'models/streamer/runtime.ts': STREAMING_RUNTIME,
    })
    const client = inferenceClient(server.grpcAddress)
    cleanups.push(() => client.close())
    const call = client.ModelStreamInfer()
    const values: number[] = []
    const ended = new Promise<unknown>((resolve) => {
      call.on('data', (r: {outputs: Array<{contents?: {fp64s?: number[]}}>}) => values.push(r.outputs[0]!.contents!.fp64s![0]!))
      call.on('error', resolve)
      call.on('end', () => resolve(undefined))
    })
    for (const x of [1.5, 4]) call.write({model_name: 'streamer', inputs: [{name: 'x', datatype: 'FP64', shape: [1, 1], contents: {fp64s: [x]}}]})
    call.end()
    expect(await ended).toBeUndefined()
    expect(values).toEqual([1.5, 3, 4, 8, 2])
    expect((await index(server)).streamer!.state).toBe('READY')
  })

  it('a pinned version loads at start-up and is never evicted', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('p', {pinned: true}), ...xgb('a'), ...xgb('b'), ...xgb('c')})
    expect((await index(server)).p).toMatchObject({state: 'READY', pinned: true})
    for (const name of ['a', 'b', 'c', 'a', 'b']) {
      expect((await inferXgb(server, name)).status).toBe(200)
      expect((await index(server)).p!.state).toBe('READY')
      await sleep(250)
    }
    expect(server.logs()).not.toMatch(/model "p" evicted/)
  })

  it('pinned versions that alone exceed the budget stop start-up with exit code 2, saying so', async () => {
    const repo = makeRepo({...settingsFile({memory_budget: '6MiB'}), ...xgb('p', {pinned: true}), ...xgb('q', {pinned: true})})
    cleanups.push(repo.cleanup)
    const result = await runMls(['start', repo.dir, '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/pinned model versions need 8 MiB .* more than memory_budget 6 MiB/)
  })

  it('a version that cannot fit gets 503 MEMORY_EXHAUSTED with the sizes and Retry-After (REST and gRPC), and so does an explicit load; others keep serving', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('big', {memory: '20MiB'}), ...xgb('a')})
    const refused = await inferXgb(server, 'big')
    expect(refused.status).toBe(503)
    expect(refused.body.code).toBe('MEMORY_EXHAUSTED')
    expect(refused.body.error).toMatch(/needs 20 MiB but memory_budget is 10 MiB/)
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    const load = await postJson(`${server.url}/v2/repository/models/big/load`, {})
    expect(load.status).toBe(503)
    expect(load.body.code).toBe('MEMORY_EXHAUSTED')
    const client = inferenceClient(server.grpcAddress)
    cleanups.push(() => client.close())
    const grpcRefused = await failure(client, 'ModelInfer', typed('big', mushroom))
    expect(grpcRefused).toMatchObject({code: 'RESOURCE_EXHAUSTED', errorCode: 'MEMORY_EXHAUSTED'})
    expect((await index(server)).big!.state).toBe('NOT_LOADED')
    expect((await inferXgb(server, 'a')).status).toBe(200)
  })

  it('memory_min_residency holds a version a request found in memory, or one back soon after its eviction; one loaded for a single request makes room at once', async () => {
    const server = await serve({...settingsFile({memory_budget: '5MiB', memory_min_residency: 1.5, memory_wait_timeout: 10}), ...xgb('a'), ...xgb('b'), ...xgb('c')})
    const timed = async (name: string) => {
      const started = performance.now()
      expect((await inferXgb(server, name)).status).toBe(200)
      return performance.now() - started
    }
    // a is found in memory by its second request (a hit): b's load waits for a's residency.
    await timed('a')
    await timed('a')
    expect(await timed('b')).toBeGreaterThan(1000)
    // b was loaded for one request and not asked for again: c's load evicts it at once.
    expect(await timed('c')).toBeLessThan(1000)
    // b comes back less than a residency after its eviction (two versions taking turns): it is held, c's next load waits.
    expect(await timed('b')).toBeLessThan(1000)
    expect(await timed('c')).toBeGreaterThan(1000)
    expect(await logLines(server, /event=model_evicted model=b/)).toBeGreaterThan(0)

    const impatient = await serve({...settingsFile({memory_budget: '5MiB', memory_min_residency: 30, memory_wait_timeout: 0.5}), ...xgb('a'), ...xgb('b')})
    expect((await inferXgb(impatient, 'a')).status).toBe(200)
    expect((await inferXgb(impatient, 'a')).status).toBe(200)
    const refused = await inferXgb(impatient, 'b')
    expect(refused.status).toBe(503)
    expect(refused.body.code).toBe('MEMORY_EXHAUSTED')
    expect(refused.body.error).toMatch(/memory_wait_timeout/)
    expect((await inferXgb(impatient, 'a')).status).toBe(200)
  })

  it('a version with a request in flight is not evicted: the load waits for it, and no request fails', async () => {
    const server = await serve({...settingsFile({memory_budget: '5MiB', memory_wait_timeout: 10}), ...sleeper('s1'), ...sleeper('s2')})
    expect((await postJson(`${server.url}/v2/models/s1/infer`, sleepRequest(1))).status).toBe(200)
    await sleep(300)
    const long = postJson(`${server.url}/v2/models/s1/infer`, sleepRequest(1500))
    await sleep(200)
    const started = performance.now()
    const other = await postJson(`${server.url}/v2/models/s2/infer`, sleepRequest(1))
    expect(other.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThan(900)
    expect((await long).status).toBe(200)
    expect((await index(server)).s1!.state).toBe('NOT_LOADED')
  })

  it('with memory_min_residency 0, concurrent requests over two versions that cannot both fit are all answered: no version attached after its runtime was freed, no thrash', async () => {
    // Room for one: each load's commit wakes the other's, which once evicted the version it had just made resident
    // before it was attached (then READY on a freed runtime: 400 on every request), and once that was mended, the
    // two loads evicted each other's version before its requests reached it, forever.
    const server = await serve({...settingsFile({memory_budget: '6MiB', memory_min_residency: 0, infer_timeout: 20}), ...xgb('a'), ...xgb('b')})
    const statuses: number[] = []
    const client = async (offset: number) => {
      for (let i = 0; i < 12; i++) {
        const response = await inferXgb(server, (i + offset) % 2 === 0 ? 'a' : 'b')
        statuses.push(response.status)
        if (response.status !== 200) throw new Error(`${response.status} ${JSON.stringify(response.body)}`)
        expect(response.body.outputs[0].data[0]).toBeCloseTo(XGB_EXPECTED, 4)
      }
    }
    await Promise.all([0, 1, 2, 3].map((offset) => client(offset)))
    expect(statuses).toHaveLength(48)
    const models = await index(server)
    expect([models.a!.state, models.b!.state].sort()).toEqual(['NOT_LOADED', 'READY'])
    for (const name of ['a', 'b']) expect((await inferXgb(server, name)).status).toBe(200)
  }, 30_000)

  it('an explicit unload is kept (no load on demand until load); an explicit load loads now', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB'}), ...xgb('a')})
    expect((await inferXgb(server, 'a')).status).toBe(200)
    expect((await postJson(`${server.url}/v2/repository/models/a/unload`, {})).status).toBe(200)
    expect((await index(server)).a).toMatchObject({state: 'UNAVAILABLE', reason: 'unloaded'})
    const refused = await inferXgb(server, 'a')
    expect(refused.body.code).toBe('MODEL_UNAVAILABLE')
    expect((await request(`${server.url}/v2/models/a/ready`)).status).not.toBe(200)
    expect((await postJson(`${server.url}/v2/repository/models/a/load`, {})).status).toBe(200)
    expect((await index(server)).a!.state).toBe('READY')
  })

  it('a version whose load fails answers the reason and is not loaded again on every request (back-off)', async () => {
    const server = await serve({
      ...settingsFile({memory_budget: '10MiB'}),
      'models/broken/model-settings.json': JSON.stringify({name: 'broken', implementation: 'xgboost', memory: '1MiB'}),
      'models/broken/model.json': '{"learner": "not a forest"}',
      ...xgb('a'),
    })
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(await inferXgb(server, 'broken'))
    expect(answers.map((answer) => answer.body.code)).toEqual(Array(5).fill('MODEL_UNAVAILABLE'))
    expect(answers[0]!.body.error).toMatch(/failed to load/)
    const failures = await logLines(server, /event=model_failed/)
    expect(failures).toBe(1)
    expect((await index(server)).broken!.state).toBe('UNAVAILABLE')
    expect((await inferXgb(server, 'a')).status).toBe(200)
  })

  it('load_models_at_startup with a budget loads versions in name order while they fit, without evicting', async () => {
    const server = await serve({...settingsFile({memory_budget: '10MiB', load_models_at_startup: true}), ...xgb('c'), ...xgb('a'), ...xgb('b')})
    const models = await index(server)
    expect([models.a!.state, models.b!.state, models.c!.state]).toEqual(['READY', 'READY', 'NOT_LOADED'])
  })
})
