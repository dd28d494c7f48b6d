/**
 * The response cache through the built CLI, over REST (JSON and the binary extension) and gRPC (typed contents and
 * raw_input_contents): hits, misses, what the key covers, errors never cached, invalidation on reload and unload, the
 * bounds, and models that did not opt in. The runtime counts its calls (globally, across reloads) and answers with
 * the count: an answer with an old count came from the cache.
 */
import {writeFileSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeRepo} from './helpers/fixtures.js'
import {call, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

/** Answers "calls" (its calls so far, FP64 [1,1]) and "echo" (its input x); the requested outputs only, if any. */
const COUNTER_RUNTIME = `
import type {InferRequest, RuntimeContext} from 'mls-server'

const counts = ((globalThis as any).cacheTestCalls ??= {}) as Record<string, number>
let name = ''
let failFirst = false

export default {
  load(context: RuntimeContext) {
    name = context.settings.name
    failFirst = context.settings.extra.fail_first === true
  },
  async predict(request: InferRequest) {
    const calls = (counts[name] = (counts[name] ?? 0) + 1)
    if (failFirst && calls === 1) throw new Error('the first call fails')
    const x = request.inputs[0]
    const outputs = [
      {name: 'calls', datatype: 'FP64', shape: [1, 1], data: new Float64Array([calls])},
      {name: 'echo', datatype: 'FP32', shape: [...x.shape], data: Float32Array.from(x.data as Float32Array)},
    ]
    return {outputs: request.outputs === undefined ? outputs : outputs.filter((o) => request.outputs!.includes(o.name))}
  },
}
`

const model = (name: string, settings: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  [`${name}/model-settings.json`]: JSON.stringify({
    name,
    implementation: './runtime.ts',
    inputs: [{name: 'x', datatype: 'FP32', shape: [-1, -1]}],
    outputs: [
      {name: 'calls', datatype: 'FP64', shape: [1, 1]},
      {name: 'echo', datatype: 'FP32', shape: [-1, -1]},
    ],
    parameters: {extra},
    ...settings,
  }),
  [`${name}/runtime.ts`]: COUNTER_RUNTIME,
})

const body = (values: number[], extra: Record<string, unknown> = {}) => ({inputs: [{name: 'x', shape: [1, values.length], datatype: 'FP32', data: values}], ...extra})

/** The binary-extension body of the same tensor: JSON header, then the float32 bytes. */
function binaryBody(values: number[], extra: Record<string, unknown> = {}) {
  const bytes = Buffer.from(new Float32Array(values).buffer)
  const header = Buffer.from(JSON.stringify({inputs: [{name: 'x', shape: [1, values.length], datatype: 'FP32', parameters: {binary_data_size: bytes.length}}], ...extra}))
  return {body: Buffer.concat([header, bytes]), headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length)}}
}

/** The value of one sample (name and labels as printed) on the server's /metrics; undefined when absent. */
async function metric(server: MlsProcess, sample: string): Promise<number | undefined> {
  const text = await (await fetch(server.metricsUrl!)).text()
  const line = text.split('\n').find((l) => l.startsWith(sample + ' '))
  return line === undefined ? undefined : Number(line.slice(sample.length + 1))
}

const HIT = 'response_cache_requests_total{result="hit"}'
const MISS = 'response_cache_requests_total{result="miss"}'

async function counts(server: MlsProcess) {
  return {hit: await metric(server, HIT), miss: await metric(server, MISS), entries: await metric(server, 'response_cache_entries')}
}

const infer = (server: MlsProcess, name: string, value: unknown) => postJson(`${server.url}/v2/models/${name}/infer`, value)
const callsOf = (answer: {body: {outputs: Array<{name: string; data: number[]}>}}) => answer.body.outputs.find((o) => o.name === 'calls')!.data[0]

describe('response cache on, models opted in', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  let client: ReturnType<typeof inferenceClient>
  beforeAll(async () => {
    repo = makeRepo({
      ...model('cached', {cache_enabled: true}),
      ...model('other', {cache_enabled: true}),
      ...model('plain'),
      ...model('flaky', {cache_enabled: true}, {fail_first: true}),
    })
    server = await startMls(repo.dir, {args: ['--cache-enabled']})
    client = inferenceClient(server.grpcAddress)
  }, 60_000)
  afterAll(async () => {
    client?.close()
    await server?.stop()
    repo?.cleanup()
  })

  it('answers a repeated request from the cache, with the new request id', async () => {
    const before = await counts(server)
    expect(before).toMatchObject({hit: 0, miss: 0, entries: 0})
    const first = await infer(server, 'cached', body([1, 2, 3], {id: 'first'}))
    expect(first.status).toBe(200)
    const again = await infer(server, 'cached', body([1, 2, 3], {id: 'second'}))
    expect(again.status).toBe(200)
    expect(again.body).toEqual({...first.body, id: 'second'})
    expect(callsOf(again)).toBe(callsOf(first))
    expect(await counts(server)).toEqual({hit: 1, miss: 1, entries: 1})
    // Triton's statistics count them too: a hit is an inference without a model execution.
    const stats = (await request(`${server.url}/v2/models/cached/stats`)).body.model_stats[0]
    expect(stats).toMatchObject({inference_count: 2, execution_count: 1})
    expect(stats.inference_stats.cache_hit.count).toBe(1)
    expect(stats.inference_stats.cache_miss.count).toBe(1)
    expect(stats.inference_stats.cache_hit.ns).toBeGreaterThan(0)
    expect(stats.inference_stats.success.count).toBe(2)
    expect(stats.inference_stats.fail.count).toBe(0)
    // Without an id the answer gets a fresh one, not the cached answer's.
    const anonymous = await infer(server, 'cached', body([1, 2, 3]))
    expect(anonymous.body.id).not.toBe('first')
    expect(anonymous.body.id).not.toBe('second')
    expect(callsOf(anonymous)).toBe(callsOf(first))
  })

  it('shares one entry between JSON, binary-extension REST, gRPC contents and gRPC raw requests', async () => {
    const values = [4, 5, 6, 7]
    const json = await infer(server, 'cached', body(values))
    const calls = callsOf(json)
    const start = await counts(server)

    const frame = binaryBody(values)
    const binary = await request(`${server.url}/v2/models/cached/infer`, {method: 'POST', body: frame.body, headers: frame.headers})
    expect(binary.status).toBe(200)
    expect(callsOf(binary)).toBe(calls)

    const typed = await call(client, 'ModelInfer', {model_name: 'cached', id: 'g1', inputs: [{name: 'x', datatype: 'FP32', shape: [1, 4], contents: {fp32s: values}}]})
    expect(typed.id).toBe('g1')
    expect(typed.outputs.find((o: {name: string}) => o.name === 'calls').contents.fp64s).toEqual([calls])

    const raw = await call(client, 'ModelInfer', {model_name: 'cached', id: 'g2', inputs: [{name: 'x', datatype: 'FP32', shape: [1, 4]}], raw_input_contents: [Buffer.from(new Float32Array(values).buffer)]})
    expect(raw.id).toBe('g2')
    const index = raw.outputs.findIndex((o: {name: string}) => o.name === 'calls')
    const bytes: Buffer = raw.raw_output_contents[index]
    expect(bytes.readDoubleLE(0)).toBe(calls)

    expect(await counts(server)).toEqual({hit: start.hit! + 3, miss: start.miss, entries: start.entries})
  })

  it('misses on different inputs, parameters, requested outputs, versions of the request, or another model', async () => {
    const base = await infer(server, 'cached', body([9, 9]))
    const calls = callsOf(base)
    const start = await counts(server)
    const variants = [
      body([9, 8]),
      body([9, 9, 9]),
      body([9, 9], {parameters: {content_type: 'np'}}),
      body([9, 9], {outputs: [{name: 'calls'}]}),
      body([9, 9], {outputs: [{name: 'calls', parameters: {content_type: 'np'}}]}),
    ]
    let expected = calls
    for (const variant of variants) {
      const answer = await infer(server, 'cached', variant)
      expect(answer.status, JSON.stringify(variant)).toBe(200)
      expect(callsOf(answer), JSON.stringify(variant)).toBe(++expected)
    }
    // The same tensors for another model that opted in: its own entry.
    const other = await infer(server, 'other', body([9, 9]))
    expect(callsOf(other)).toBe(1)
    expect(await counts(server)).toEqual({hit: start.hit, miss: start.miss! + variants.length + 1, entries: start.entries! + variants.length + 1})
  })

  it('leaves binary_data flags out of the key: the cached answer is encoded as the new request asks', async () => {
    const asked = {outputs: [{name: 'calls'}, {name: 'echo'}]}
    const json = await infer(server, 'cached', body([3, 1], asked))
    const start = await counts(server)
    const flagged = await request(`${server.url}/v2/models/cached/infer`, {
      method: 'POST',
      body: JSON.stringify(body([3, 1], {outputs: [{name: 'calls'}, {name: 'echo', parameters: {binary_data: true}}]})),
      headers: {'content-type': 'application/json'},
    })
    expect(flagged.status).toBe(200)
    expect(flagged.headers.get('content-type')).toMatch(/application\/octet-stream/)
    const headerLength = Number(flagged.headers.get('inference-header-content-length'))
    const header = JSON.parse(flagged.text.slice(0, headerLength))
    expect(header.outputs[0].data).toEqual(json.body.outputs[0].data)
    expect(header.outputs[1].parameters).toEqual({binary_data_size: 8})
    expect((await counts(server)).hit).toBe(start.hit! + 1)
  })

  it('never caches an error', async () => {
    const start = await counts(server)
    const failed = await infer(server, 'flaky', body([1]))
    expect(failed.status).toBeGreaterThanOrEqual(400)
    expect(failed.text).toContain("the first call fails")
    const ok = await infer(server, 'flaky', body([1]))
    expect(ok.status).toBe(200)
    expect(callsOf(ok)).toBe(2)
    const cached = await infer(server, 'flaky', body([1]))
    expect(callsOf(cached)).toBe(2)
    // A request refused before the runtime (a BOOL tensor for an FP32 input) is never looked up.
    expect((await infer(server, 'flaky', {inputs: [{name: 'x', shape: [1, 1], datatype: 'BOOL', data: [true]}]})).status).toBe(400)
    expect(await counts(server)).toEqual({hit: start.hit! + 1, miss: start.miss! + 2, entries: start.entries! + 1})
  })

  it('never caches a model that did not opt in, and does not count its requests', async () => {
    const start = await counts(server)
    const first = await infer(server, 'plain', body([5]))
    const second = await infer(server, 'plain', body([5]))
    expect(callsOf(second)).toBe(callsOf(first) + 1)
    expect(await counts(server)).toEqual(start)
  })

  it('forgets a model version\'s answers when it is reloaded (repository load) and when it is unloaded', async () => {
    const values = [42]
    const first = callsOf(await infer(server, 'cached', body(values)))
    expect(callsOf(await infer(server, 'cached', body(values)))).toBe(first)
    const otherBefore = callsOf(await infer(server, 'other', body([9, 9])))
    // Entries of the other models: "other" ([9, 9]) and "flaky" ([1]) hold one each; every other entry is "cached"'s.
    const others = 2
    expect((await counts(server)).entries).toBeGreaterThan(others)

    expect((await request(`${server.url}/v2/repository/models/cached/load`, {method: 'POST'})).status).toBe(200)
    expect((await counts(server)).entries).toBe(others)
    const afterReload = callsOf(await infer(server, 'cached', body(values)))
    expect(afterReload).toBe(first + 1)
    expect(callsOf(await infer(server, 'cached', body(values)))).toBe(afterReload)
    // The other model's entry is still there.
    expect(callsOf(await infer(server, 'other', body([9, 9])))).toBe(otherBefore)

    expect((await request(`${server.url}/v2/repository/models/cached/unload`, {method: 'POST'})).status).toBe(200)
    expect((await counts(server)).entries).toBe(others)
    expect((await request(`${server.url}/v2/repository/models/cached/load`, {method: 'POST'})).status).toBe(200)
    expect(callsOf(await infer(server, 'cached', body(values)))).toBe(afterReload + 1)
  })
})

describe('response cache bounds', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  beforeAll(async () => {
    repo = makeRepo(model('cached', {cache_enabled: true}))
    // Two entries, 10 000 bytes: an answer of 1 000 floats (4 008 tensor bytes + overhead) takes nearly half.
    server = await startMls(repo.dir, {args: ['--cache-enabled', '--cache-size', '2'], env: {MLS_CACHE_MAX_BYTES: '10000'}})
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  it('cache_size: the least recently used entry goes first', async () => {
    const a = callsOf(await infer(server, 'cached', body([1])))
    const b = callsOf(await infer(server, 'cached', body([2])))
    expect(callsOf(await infer(server, 'cached', body([1])))).toBe(a) // a is now the most recently used
    const c = callsOf(await infer(server, 'cached', body([3]))) // evicts b
    expect(await metric(server, 'response_cache_entries')).toBe(2)
    expect(callsOf(await infer(server, 'cached', body([1])))).toBe(a)
    expect(callsOf(await infer(server, 'cached', body([3])))).toBe(c)
    expect(callsOf(await infer(server, 'cached', body([2])))).toBeGreaterThan(b)
  })

  it('cache_max_bytes: big answers push others out, and one larger than the bound is not kept', async () => {
    // 1 500 floats: 6 008 tensor bytes plus overhead, so two of them do not fit in 10 000 bytes.
    const big1 = new Array(1500).fill(1)
    const big2 = new Array(1500).fill(2)
    const first = callsOf(await infer(server, 'cached', body(big1)))
    expect(callsOf(await infer(server, 'cached', body(big1)))).toBe(first)
    const second = callsOf(await infer(server, 'cached', body(big2)))
    expect(await metric(server, 'response_cache_entries')).toBe(1)
    expect(await metric(server, 'response_cache_bytes')).toBeLessThanOrEqual(10_000)
    expect(callsOf(await infer(server, 'cached', body(big2)))).toBe(second)
    expect(callsOf(await infer(server, 'cached', body(big1)))).toBe(second + 1)

    // 3 000 floats: larger than the whole bound, answered and not kept.
    const huge = new Array(3000).fill(3)
    const once = callsOf(await infer(server, 'cached', body(huge)))
    expect(callsOf(await infer(server, 'cached', body(huge)))).toBe(once + 1)
    expect(await metric(server, 'response_cache_bytes')).toBeLessThanOrEqual(10_000)
  })
})

describe('response cache off (the default)', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  beforeAll(async () => {
    repo = makeRepo(model('cached', {cache_enabled: true}))
    server = await startMls(repo.dir)
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  it('caches nothing even for a model that opted in, and exposes no cache metrics', async () => {
    const first = callsOf(await infer(server, 'cached', body([1])))
    expect(callsOf(await infer(server, 'cached', body([1])))).toBe(first + 1)
    expect(await metric(server, HIT)).toBeUndefined()
    expect(await metric(server, 'response_cache_entries')).toBeUndefined()
  })
})

describe('response cache and the lifecycle: --watch reloads, memory_budget evictions', () => {
  const cleanups: Array<() => unknown> = []
  afterAll(async () => {
    while (cleanups.length > 0) await cleanups.pop()!()
  })
  const serve = async (files: Record<string, string>, args: string[]) => {
    const repo = makeRepo(files)
    cleanups.push(repo.cleanup)
    const server = await startMls(repo.dir, {args})
    cleanups.push(() => server.stop())
    return {server, dir: repo.dir}
  }
  /** Polls response_cache_entries until it reads `n` (at most 200 tries, 25 ms apart). */
  const untilEntries = async (server: MlsProcess, n: number) => {
    for (let i = 0; i < 200 && (await metric(server, 'response_cache_entries')) !== n; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(await metric(server, 'response_cache_entries')).toBe(n)
  }

  it('a model-settings.json changed under --watch reloads the model, and its old answers are gone', async () => {
    const {server, dir} = await serve(model('cached', {cache_enabled: true}), ['--cache-enabled', '--watch'])
    const first = callsOf(await infer(server, 'cached', body([7])))
    expect(callsOf(await infer(server, 'cached', body([7])))).toBe(first)
    writeFileSync(`${dir}/cached/model-settings.json`, model('cached', {cache_enabled: true}, {changed: true})['cached/model-settings.json'])
    await server.expectLog(/model "cached" reloaded/)
    await untilEntries(server, 0)
    expect(callsOf(await infer(server, 'cached', body([7])))).toBe(first + 1)
  })

  it('a version evicted by memory_budget takes its answers along', async () => {
    const stated = (name: string) => model(name, {cache_enabled: true, memory: '4MiB'})
    const {server} = await serve(
      {'settings.json': JSON.stringify({load_models_at_startup: false, memory_budget: '10MiB', memory_min_residency: 0.2}), ...stated('a'), ...stated('b'), ...stated('c')},
      ['--cache-enabled'],
    )
    const a = callsOf(await infer(server, 'a', body([1])))
    expect(callsOf(await infer(server, 'a', body([1])))).toBe(a)
    await infer(server, 'b', body([1]))
    await untilEntries(server, 2)
    await new Promise((resolve) => setTimeout(resolve, 300)) // past memory_min_residency
    await infer(server, 'c', body([1])) // evicts a, the least recently used
    await untilEntries(server, 2) // b's and c's
    expect(callsOf(await infer(server, 'a', body([1])))).toBe(a + 1)
  })
})
