import {tmpdir} from 'node:os'
/**
 * Custom runtimes through the built CLI: the bundled example served beside the multi-model one by `mls start
 * examples`, and runtimes written in a temporary repository (TypeScript compiled on load, no package.json, importing
 * "mls-server" from a folder where no node_modules provides it, or "mls", its name before the rename, from one where
 * node_modules holds other packages of those names), over REST and gRPC, with their content types, their failures
 * (UNAVAILABLE with the reason load() gave) and their custom metrics on /metrics.
 */
import {rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {call, failure, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'

const EXAMPLES = path.join(REPO_ROOT, 'examples')
const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

async function index(server: MlsProcess): Promise<Array<{name: string; version?: string; state: string; reason: string}>> {
  return (await postJson(server.url + '/v2/repository/index', {})).body
}

/** The value of one sample on /metrics, or undefined. */
async function metric(server: MlsProcess, name: string, labels: string): Promise<number | undefined> {
  const text = (await request(server.metricsUrl!)).text
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`))
  return line === undefined ? undefined : Number(line.split(' ').at(-1))
}

describe('mls start examples: the custom-runtime example beside the multi-model one', () => {
  let server: MlsProcess
  beforeAll(async () => {
    server = await startMls(EXAMPLES)
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('finds and loads all three models', async () => {
    expect((await index(server)).map(({name, state}) => ({name, state})).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {name: 'mnist_sklearn', state: 'READY'},
      {name: 'mushroom_xgboost', state: 'READY'},
      {name: 'sentiment', state: 'READY'},
    ])
    expect((await postJson(server.url + '/v2/models/mnist_sklearn/infer', rowRequest(mnist, 0))).body.outputs[0].data).toEqual([mnist.expected.predict[0]])
  })

  it('sentiment over REST: str in, token counts and scores out, with the declared datatypes', async () => {
    const res = await postJson(server.url + '/v2/models/sentiment/infer', {
      inputs: [{name: 'text', shape: [3], datatype: 'BYTES', data: ['Great food and friendly staff!', 'not good, slow and rude', '']}],
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({model_name: 'sentiment', model_version: 'v1'})
    expect(res.body.outputs).toEqual([
      {name: 'tokens', shape: [3, 1], datatype: 'INT32', data: [5, 5, 0], parameters: {content_type: 'np'}},
      {name: 'score', shape: [3, 1], datatype: 'FP32', data: [1, -1, 0], parameters: {content_type: 'np'}},
    ])
  })

  it('sentiment over gRPC, and a request for one output', async () => {
    const client = inferenceClient(server.grpcAddress)
    try {
      const res = await call(client, 'ModelInfer', {
        model_name: 'sentiment',
        inputs: [{name: 'text', datatype: 'BYTES', shape: [2], contents: {bytes: [Buffer.from('I love it'), Buffer.from('awful, just awful')]}}],
        outputs: [{name: 'score'}],
      })
      expect(res.outputs).toHaveLength(1)
      expect(res.outputs[0]).toMatchObject({name: 'score', datatype: 'FP32', shape: ['2', '1']})
      expect(res.outputs[0].contents.fp32s).toEqual([1, -1])
      expect(res.outputs[0].parameters.content_type).toMatchObject({s: 'np'})
    } finally {
      client.close()
    }
  })

  it("the runtime's custom metrics appear on /metrics with model and version", async () => {
    await postJson(server.url + '/v2/models/sentiment/infer', {inputs: [{name: 'text', shape: [1], datatype: 'BYTES', data: ['one two three']}]})
    const text = (await request(server.metricsUrl!)).text
    expect(text).toContain('# TYPE sentiment_tokens_total counter')
    expect(text).toContain('# TYPE sentiment_score histogram')
    expect(await metric(server, 'sentiment_tokens_total', 'model="sentiment",version="v1"')).toBeGreaterThanOrEqual(3)
  })
})

const TABLE_RUNTIME = `
import {BaseRuntime, Table, type InferRequest, type InferResult} from 'mls-server'
import {weekday} from './dates.ts'

/** A pd runtime: one row per order; total = price * qty, the weekday of its date, its name in capitals. */
export class TableRuntime extends BaseRuntime {
  private readonly rows = this.metrics.counter('orders_rows_total', 'Rows priced')

  override async predict(request: InferRequest): Promise<InferResult> {
    const orders = this.decodeRequest<Table>(request)
    const price = orders.column<Float64Array>('price')
    const qty = orders.column<Int32Array>('qty')
    const days = orders.column<Date[]>('day')
    this.rows.inc(orders.length)
    return this.encodeResponse(
      new Table({
        total: price.map((p, i) => p * qty[i]),
        weekday: Int32Array.from(days, weekday),
        label: orders.column<string[]>('name').map((n) => n.toUpperCase()),
      }),
    )
  }
}
`

const DATES_HELPER = `
export function weekday(date: Date): number {
  return date.getUTCDay()
}
`

const echo = (tag: string) => `
export default {
  predict(request) {
    return {outputs: request.inputs.map((t) => ({...t, name: '${tag}_' + t.name}))}
  },
}
`

/** Written before the package was renamed: imports 'mls', and 'mls-server' to see that both are the server's modules. */
const LEGACY_RUNTIME = `
import {BaseRuntime, MlsError, type InferRequest, type InferResult} from 'mls'
import * as current from 'mls-server'

export default class Legacy extends BaseRuntime {
  override async predict(request: InferRequest): Promise<InferResult> {
    if (request.inputs[0].data[0] < 0) throw new MlsError('INVALID_DATA', 'legacy: no negative numbers')
    return this.encodeResponse({same: Int32Array.of(BaseRuntime === current.BaseRuntime && MlsError === current.MlsError ? 1 : 0)})
  }
}
`

/** What node_modules beside the repository's runtimes holds: the unrelated npm package "mls", and a copy of mls-server. */
const DECOY_MLS = {name: 'mls', version: '9.9.9', type: 'module', exports: './index.js'}
const DECOY_COPY = {name: 'mls-server', version: '0.0.1', type: 'module', exports: './index.js'}
const DECOY_CODE = "throw new Error('a package beside the runtime was loaded instead of the server')\n"

const BROKEN_RUNTIME = `
export default class Broken {
  async load(): Promise<void> {
    throw new Error('the weights are missing: weights.bin')
  }
  async predict() {
    return {outputs: []}
  }
}
`

const ORDERS = {
  parameters: {content_type: 'pd'},
  inputs: [
    {name: 'name', shape: [2, 1], datatype: 'BYTES', data: ['tea', 'cake']},
    {name: 'price', shape: [2], datatype: 'FP64', data: [2.5, 4]},
    {name: 'qty', shape: [2], datatype: 'INT32', data: [2, 3]},
    {name: 'day', shape: [2], datatype: 'BYTES', data: ['2024-05-06', '2024-05-11T10:00:00+02:00'], parameters: {content_type: 'datetime'}},
  ],
}

describe('runtimes written in a temporary repository', () => {
  let server: MlsProcess
  let repo: {dir: string; cleanup(): void}
  let outside: string
  beforeAll(async () => {
    repo = makeRepo({
      'models/orders/model-settings.json': JSON.stringify({name: 'orders', implementation: './runtime.ts#TableRuntime', parameters: {version: '1'}}),
      'models/orders/runtime.ts': TABLE_RUNTIME,
      'models/orders/dates.ts': DATES_HELPER,
      'models/echo/model-settings.json': JSON.stringify({implementation: './runtime.js'}),
      'models/echo/runtime.js': echo('v1'),
      'models/broken/model-settings.json': JSON.stringify({implementation: './runtime.ts'}),
      'models/broken/runtime.ts': BROKEN_RUNTIME,
      'models/escape/model-settings.json': '',
      'models/typo/model-settings.json': JSON.stringify({implementation: 'runtime.js'}),
      'models/typo/runtime.js': echo('typo'),
      'models/legacy/model-settings.json': JSON.stringify({implementation: './runtime.ts'}),
      'models/legacy/runtime.ts': LEGACY_RUNTIME,
      'node_modules/mls/package.json': JSON.stringify(DECOY_MLS),
      'node_modules/mls/index.js': DECOY_CODE,
      'node_modules/mls-server/package.json': JSON.stringify(DECOY_COPY),
      'node_modules/mls-server/index.js': DECOY_CODE,
    })
    outside = `${repo.dir}-outside.js`
    writeFileSync(outside, echo('outside'))
    writeFileSync(path.join(repo.dir, 'models/escape/model-settings.json'), JSON.stringify({implementation: `../../../${path.basename(outside)}`}))
    server = await startMls(repo.dir)
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
    if (outside) rmSync(outside, {force: true})
  })

  it('loads what it can; a failing load() is UNAVAILABLE with its message as the reason', async () => {
    const states = Object.fromEntries((await index(server)).map((m) => [m.name, m]))
    expect(states.orders).toMatchObject({state: 'READY', version: '1'})
    expect(states.echo).toMatchObject({state: 'READY'})
    expect(states.broken).toEqual({name: 'broken', state: 'UNAVAILABLE', reason: 'the weights are missing: weights.bin'})
    expect(states.escape.state).toBe('UNAVAILABLE')
    // Clients read paths relative to the repository root, never the server's absolute ones.
    expect(states.escape.reason).toMatch(/^implementation: \.\.\/\.\.\/\.\.\/.*-outside\.js is \.\.\/.*-outside\.js, outside the repository root; a runtime module must live inside the repository$/)
    expect(states.escape.reason).not.toContain(tmpdir())
    expect(states.typo.reason).toMatch(/unknown runtime "runtime\.js".*; a runtime module is a path: "\.\/runtime\.js"$/)
    const res = await postJson(server.url + '/v2/models/broken/infer', {inputs: [{name: 'x', shape: [1], datatype: 'FP32', data: [1]}]})
    expect(res.status).toBe(404)
    expect(res.body).toEqual({error: 'model "broken" failed to load: the weights are missing: weights.bin', code: 'MODEL_UNAVAILABLE'})
  })

  it('a pd runtime in TypeScript over REST: a Table in, a Table out', async () => {
    const res = await postJson(server.url + '/v2/models/orders/infer', ORDERS)
    expect(res.status).toBe(200)
    expect(res.body.parameters).toEqual({content_type: 'pd'})
    expect(res.body.outputs).toEqual([
      {name: 'total', shape: [2, 1], datatype: 'FP64', data: [5, 12]},
      {name: 'weekday', shape: [2, 1], datatype: 'INT32', data: [1, 6]},
      {name: 'label', shape: [2, 1], datatype: 'BYTES', data: ['TEA', 'CAKE'], parameters: {content_type: 'str'}},
    ])
  })

  it('the same over gRPC, typed contents in and out', async () => {
    const client = inferenceClient(server.grpcAddress)
    try {
      const res = await call(client, 'ModelInfer', {
        model_name: 'orders',
        parameters: {content_type: {s: 'pd'}},
        inputs: [
          {name: 'name', datatype: 'BYTES', shape: [2, 1], contents: {bytes: [Buffer.from('tea'), Buffer.from('cake')]}},
          {name: 'price', datatype: 'FP64', shape: [2], contents: {fp64s: [2.5, 4]}},
          {name: 'qty', datatype: 'INT32', shape: [2], contents: {ints: [2, 3]}},
          {name: 'day', datatype: 'BYTES', shape: [2], parameters: {content_type: {s: 'datetime'}}, contents: {bytes: [Buffer.from('2024-05-06'), Buffer.from('2024-05-11')]}},
        ],
      })
      expect(res.parameters.content_type).toMatchObject({s: 'pd'})
      expect(res.outputs.map((o: {name: string}) => o.name)).toEqual(['total', 'weekday', 'label'])
      expect(res.outputs[0].contents.fp64s).toEqual([5, 12])
      expect(res.outputs[1].contents.ints).toEqual([1, 6])
      expect(res.outputs[2].contents.bytes.map(String)).toEqual(['TEA', 'CAKE'])
    } finally {
      client.close()
    }
  })

  it('what a content type cannot read is a 400 / INVALID_ARGUMENT that names the input', async () => {
    const bad = structuredClone(ORDERS)
    bad.inputs[3].data = ['2024-05-06', 'next friday']
    const res = await postJson(server.url + '/v2/models/orders/infer', bad)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({error: 'input "day" (content type datetime): element 1 ("next friday") is not an ISO-8601 date-time', code: 'INVALID_DATA'})
    const client = inferenceClient(server.grpcAddress)
    try {
      const wide = await failure(client, 'ModelInfer', {
        model_name: 'orders',
        parameters: {content_type: {s: 'pd'}},
        inputs: [{name: 'price', datatype: 'FP64', shape: [1, 2], contents: {fp64s: [1, 2]}}],
      })
      expect(wide).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_SHAPE'})
      expect(wide.details).toBe('input "price" (content type pd): shape [1,2] is not a column: expected [N] or [N, 1]')
    } finally {
      client.close()
    }
  })

  it('a plain JavaScript object with no import at all works as a runtime', async () => {
    const res = await postJson(server.url + '/v2/models/echo/infer', {inputs: [{name: 'x', shape: [2], datatype: 'INT64', data: [1, 2]}]})
    expect(res.body.outputs).toEqual([{name: 'v1_x', shape: [2], datatype: 'INT64', data: [1, 2]}])
  })

  it('a reload imports the edited runtime', async () => {
    writeFileSync(path.join(repo.dir, 'models/echo/runtime.js'), echo('v2'))
    expect((await postJson(server.url + '/v2/repository/models/echo/load', {})).status).toBe(200)
    const res = await postJson(server.url + '/v2/models/echo/infer', {inputs: [{name: 'x', shape: [1], datatype: 'BOOL', data: [true]}]})
    expect(res.body.outputs[0]).toMatchObject({name: 'v2_x', data: [true]})
  })

  it("'mls-server' and 'mls' both resolve to the running server, never to packages of those names beside the runtime", async () => {
    expect((await index(server)).find((m) => m.name === 'legacy')).toMatchObject({state: 'READY', reason: ''})
    const ok = await postJson(server.url + '/v2/models/legacy/infer', {inputs: [{name: 'x', shape: [1], datatype: 'FP64', data: [1]}]})
    expect(ok.status).toBe(200)
    expect(ok.body.outputs[0]).toMatchObject({name: 'same', data: [1]})
    // The server's own MlsError: its code reaches the client (a foreign error class would be INFERENCE_FAILED).
    const refused = await postJson(server.url + '/v2/models/legacy/infer', {inputs: [{name: 'x', shape: [1], datatype: 'FP64', data: [-1]}]})
    expect(refused.status).toBe(400)
    expect(refused.body).toEqual({error: 'legacy: no negative numbers', code: 'INVALID_DATA'})
  })

  it('its custom metric is on /metrics', async () => {
    expect(await metric(server, 'orders_rows_total', 'model="orders",version="1"')).toBeGreaterThanOrEqual(2)
  })
})
