/**
 * Triton's statistics and model configuration extensions through the built CLI, over REST and gRPC, as tritonclient
 * reads them (get_model_statistics / get_model_config): the example's models (sklearn-on-ONNX, XGBoost, the custom
 * runtime) and an ONNX model with adaptive batching, in one repository.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, MUSHROOM_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {call, failure, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'
import {pointer, schemaCompiler} from '../unit/docs/document-checks.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const MNIST = '/v2/models/mnist_sklearn/versions/v1.0.0'
const BATCH_TIME_S = 0.05

let repo: ReturnType<typeof makeRepo>
let server: MlsProcess
let client: ReturnType<typeof inferenceClient>
beforeAll(async () => {
  repo = makeRepo({
    'identity/model.onnx': {copy: path.join(REPO_ROOT, 'test/fixtures/models/identity_fp32/model.onnx')},
    'identity/model-settings.json': JSON.stringify({name: 'identity', implementation: 'onnx', max_batch_size: 8, max_batch_time: BATCH_TIME_S}),
    mnist_sklearn: {copy: MNIST_DIR},
    mushroom_xgboost: {copy: MUSHROOM_DIR},
    sentiment: {copy: path.join(REPO_ROOT, 'examples/custom-runtime/models/sentiment')},
  })
  server = await startMls(repo.dir)
  client = inferenceClient(server.grpcAddress)
}, 60_000)
afterAll(async () => {
  client?.close()
  await server?.stop()
  repo?.cleanup()
})

const stats = async (suffix: string) => request(server.url + suffix)

describe('server metadata', () => {
  it('lists statistics and model_configuration among the extensions, on REST and gRPC', async () => {
    expect((await request(server.url + '/v2')).body.extensions).toEqual(expect.arrayContaining(['statistics', 'model_configuration']))
    expect((await call(client, 'ServerMetadata', {})).extensions).toEqual(expect.arrayContaining(['statistics', 'model_configuration']))
  })
})

describe('statistics', () => {
  const OK = 6
  const BAD = 2
  let before: number
  beforeAll(async () => {
    before = Date.now()
    for (let i = 0; i < OK; i++) expect((await postJson(server.url + MNIST + '/infer', rowRequest(mnist, i))).status).toBe(200)
    // Decoded in the data plane and refused there (BOOL for an FP32 input): a failed request of this version.
    const bad = {inputs: [{name: 'predict', shape: [1, 64], datatype: 'BOOL', data: new Array(64).fill(true)}]}
    for (let i = 0; i < BAD; i++) expect((await postJson(server.url + MNIST + '/infer', bad)).status).toBe(400)
  })

  it('counts successes and failures of a version, with its phases, on REST (all versions, one version, every model)', async () => {
    const {status, body} = await stats('/v2/models/mnist_sklearn/stats')
    expect(status).toBe(200)
    expect(body.model_stats).toHaveLength(1)
    const [s] = body.model_stats
    expect(s).toMatchObject({name: 'mnist_sklearn', version: 'v1.0.0', inference_count: OK, execution_count: OK, batch_stats: []})
    expect(s.last_inference).toBeGreaterThanOrEqual(before)
    expect(s.last_inference).toBeLessThanOrEqual(Date.now())
    const phases = s.inference_stats
    expect(phases.success.count).toBe(OK)
    expect(phases.fail.count).toBe(BAD)
    for (const phase of ['queue', 'compute_input', 'compute_infer', 'compute_output']) expect(phases[phase].count, phase).toBe(OK)
    expect(phases.cache_hit).toEqual({count: 0, ns: 0})
    expect(phases.cache_miss).toEqual({count: 0, ns: 0})
    expect(phases.success.ns).toBeGreaterThan(0)
    expect(phases.compute_infer.ns).toBeGreaterThan(0)
    expect(phases.fail.ns).toBeGreaterThan(0)
    // The phases are parts of the whole.
    expect(phases.queue.ns + phases.compute_input.ns + phases.compute_infer.ns + phases.compute_output.ns).toBeLessThanOrEqual(phases.success.ns + 4)

    expect((await stats(MNIST + '/stats')).body).toEqual(body)
    const all = (await stats('/v2/models/stats')).body.model_stats
    expect(all.map((m: {name: string}) => m.name).sort()).toEqual(['identity', 'mnist_sklearn', 'mushroom_xgboost', 'sentiment'])
    expect(all.find((m: {name: string}) => m.name === 'mnist_sklearn')).toEqual(s)
    expect(all.find((m: {name: string}) => m.name === 'mushroom_xgboost')).toMatchObject({version: 'v2.0.0', last_inference: 0, inference_count: 0, execution_count: 0})
  })

  it('answers the same counts over gRPC ModelStatistics', async () => {
    const rest = (await stats(MNIST + '/stats')).body.model_stats[0]
    const {model_stats} = await call(client, 'ModelStatistics', {name: 'mnist_sklearn', version: ''})
    expect(model_stats).toHaveLength(1)
    const [g] = model_stats
    // uint64 arrives as a string with this client's loader options (longs: String).
    expect(g).toMatchObject({name: 'mnist_sklearn', version: 'v1.0.0', inference_count: String(OK), execution_count: String(OK), last_inference: String(rest.last_inference)})
    expect(g.inference_stats.success).toEqual({count: String(OK), ns: String(rest.inference_stats.success.ns)})
    expect(g.inference_stats.fail.count).toBe(String(BAD))
    expect(g.batch_stats).toEqual([])
    const every = await call(client, 'ModelStatistics', {})
    expect(every.model_stats.map((m: {name: string}) => m.name).sort()).toEqual(['identity', 'mnist_sklearn', 'mushroom_xgboost', 'sentiment'])
  })

  it('refuses an unknown model or version: 404 on REST, NOT_FOUND on gRPC', async () => {
    expect(await stats('/v2/models/nope/stats')).toMatchObject({status: 404, body: {code: 'MODEL_NOT_FOUND'}})
    expect(await stats('/v2/models/mnist_sklearn/versions/v9/stats')).toMatchObject({status: 404, body: {code: 'MODEL_VERSION_NOT_FOUND'}})
    expect(await failure(client, 'ModelStatistics', {name: 'nope'})).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_NOT_FOUND'})
    expect(await failure(client, 'ModelStatistics', {name: 'mnist_sklearn', version: 'v9'})).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_VERSION_NOT_FOUND'})
  })

  it('counts adaptive batching per execution: inference_count in rows, execution_count and batch_stats per batch', async () => {
    const {body: metadata} = await request(server.url + '/v2/models/identity')
    const input = metadata.inputs[0]
    const width = input.shape.slice(1).reduce((a: number, d: number) => a * (d < 0 ? 1 : d), 1)
    const dims = input.shape.slice(1).map((d: number) => (d < 0 ? 1 : d))
    const N = 8
    const answers = await Promise.all(
      Array.from({length: N}, (_, i) => postJson(server.url + '/v2/models/identity/infer', {inputs: [{name: input.name, shape: [1, ...dims], datatype: 'FP32', data: new Array(width).fill(i)}]})),
    )
    expect(answers.map((a) => a.status)).toEqual(new Array(N).fill(200))
    const [s] = (await stats('/v2/models/identity/stats')).body.model_stats
    expect(s.inference_count).toBe(N)
    expect(s.inference_stats.success.count).toBe(N)
    expect(s.execution_count).toBeGreaterThanOrEqual(1)
    expect(s.execution_count).toBeLessThan(N) // concurrent single rows were joined
    const batches = s.batch_stats as Array<{batch_size: number; compute_infer: {count: number; ns: number}}>
    expect(batches.reduce((sum, b) => sum + b.compute_infer.count, 0)).toBe(s.execution_count)
    expect(batches.reduce((sum, b) => sum + b.batch_size * b.compute_infer.count, 0)).toBe(N)
  })
})

describe('model configuration', () => {
  const TRITON_TYPE: Record<string, string> = {FP32: 'TYPE_FP32', FP64: 'TYPE_FP64', INT64: 'TYPE_INT64', INT32: 'TYPE_INT32', BYTES: 'TYPE_STRING', BOOL: 'TYPE_BOOL'}
  const cases = [
    {model: 'mnist_sklearn', backend: 'sklearn', batching: false},
    {model: 'mushroom_xgboost', backend: 'xgboost', batching: false},
    {model: 'sentiment', backend: 'custom', batching: false},
    {model: 'identity', backend: 'onnxruntime', batching: true},
  ]

  for (const {model, backend, batching} of cases) {
    it(`${model}: REST and gRPC config derived from its metadata (${backend})`, async () => {
      const {body: metadata} = await request(`${server.url}/v2/models/${model}`)
      const tensor = (t: {name: string; datatype: string; shape: number[]}) => ({name: t.name, data_type: TRITON_TYPE[t.datatype], dims: batching ? t.shape.slice(1) : t.shape})
      const expected: Record<string, unknown> = {
        name: model,
        platform: metadata.platform,
        backend,
        max_batch_size: batching ? 8 : 0,
        input: metadata.inputs.map(tensor),
        output: metadata.outputs.map(tensor),
      }
      if (batching) expected.dynamic_batching = {max_queue_delay_microseconds: BATCH_TIME_S * 1e6}
      const rest = await request(`${server.url}/v2/models/${model}/config`)
      expect(rest.status).toBe(200)
      expect(rest.body).toEqual(expected)
      const version = metadata.versions[0]
      if (version !== undefined) expect((await request(`${server.url}/v2/models/${model}/versions/${version}/config`)).body).toEqual(expected)

      const {config} = await call(client, 'ModelConfig', {name: model, version: ''})
      const strings = (t: {dims: number[]}) => ({...t, dims: t.dims.map(String)})
      expect(config).toMatchObject({
        name: model,
        platform: metadata.platform,
        backend,
        max_batch_size: batching ? 8 : 0,
        input: (expected.input as Array<{dims: number[]}>).map((t) => expect.objectContaining(strings(t))),
        output: (expected.output as Array<{dims: number[]}>).map((t) => expect.objectContaining(strings(t))),
      })
      if (batching) expect(config.dynamic_batching).toMatchObject({max_queue_delay_microseconds: String(BATCH_TIME_S * 1e6)})
      else expect(config.dynamic_batching).toBeNull()
    })
  }

  it('refuses an unknown model or version: 404 on REST, NOT_FOUND on gRPC', async () => {
    expect(await request(server.url + '/v2/models/nope/config')).toMatchObject({status: 404, body: {code: 'MODEL_NOT_FOUND'}})
    expect(await request(server.url + '/v2/models/mnist_sklearn/versions/v9/config')).toMatchObject({status: 404, body: {code: 'MODEL_VERSION_NOT_FOUND'}})
    expect(await failure(client, 'ModelConfig', {name: 'nope'})).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_NOT_FOUND'})
  })
})

describe('the OpenAPI document', () => {
  // Last in the file: the statistics above have counted successes, failures and batched executions by now.
  it('declares the schema of every statistics and config answer (with batch_stats and dynamic_batching), and its 404s', async () => {
    const {status, body: document} = await request(server.url + '/v2/docs/dataplane.json')
    expect(status).toBe(200)
    const compile = schemaCompiler(document)
    const check = async (template: string, url: string) => {
      const answer = await request(server.url + url)
      const validate = compile(pointer('paths', template, 'get', 'responses', String(answer.status), 'content', 'application/json', 'schema'))
      expect(validate(answer.body), `${url} -> ${answer.status}: ${JSON.stringify(validate.errors)}`).toBe(true)
      return answer
    }
    const all = await check('/v2/models/stats', '/v2/models/stats')
    expect(all.body.model_stats.find((m: {name: string}) => m.name === 'identity').batch_stats.length).toBeGreaterThan(0)
    for (const model of ['mnist_sklearn', 'mushroom_xgboost', 'sentiment', 'identity']) {
      expect((await check('/v2/models/{name}/stats', `/v2/models/${model}/stats`)).status).toBe(200)
      expect((await check('/v2/models/{name}/config', `/v2/models/${model}/config`)).status).toBe(200)
    }
    expect((await check('/v2/models/{name}/config', '/v2/models/identity/config')).body.dynamic_batching).toBeDefined()
    expect((await check('/v2/models/{name}/versions/{version}/stats', `${MNIST}/stats`)).status).toBe(200)
    expect((await check('/v2/models/{name}/versions/{version}/config', `${MNIST}/config`)).status).toBe(200)
    expect((await check('/v2/models/{name}/stats', '/v2/models/nope/stats')).status).toBe(404)
    expect((await check('/v2/models/{name}/versions/{version}/config', '/v2/models/mnist_sklearn/versions/v9/config')).status).toBe(404)
  })
})
