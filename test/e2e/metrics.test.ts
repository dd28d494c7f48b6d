/**
 * Prometheus metrics on their own port after known traffic over REST and gRPC, successes and failures: each family's
 * type, labels and exact counts, and no label value that came from a request.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {call, failure, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The text exposition format, parsed: samples and each family's declared type. */
function parse(text: string): {samples: Sample[]; types: Map<string, string>} {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line)
    if (type) types.set(type[1], type[2])
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line)!
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]))
    samples.push({name: m[1], labels, value: Number(m[3])})
  }
  return {samples, types}
}

let server: MlsProcess
let scrape: () => Promise<ReturnType<typeof parse> & {text: string}>
const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value

beforeAll(async () => {
  server = await startMls(EXAMPLE)
  scrape = async () => {
    const res = await request(server.metricsUrl!)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    return {...parse(res.text), text: res.text}
  }
})
afterAll(async () => {
  await server.stop()
})

describe('metrics', () => {
  it('counts known REST and gRPC traffic exactly', async () => {
    const INFER = server.url + '/v2/models/mnist_sklearn/versions/v1.0.0/infer'
    for (let i = 0; i < 3; i++) expect((await postJson(INFER, rowRequest(mnist, i))).status).toBe(200)
    const bad = rowRequest(mnist, 0)
    bad.inputs[0].shape = [1, 32]
    for (let i = 0; i < 2; i++) expect((await postJson(INFER, bad)).status).toBe(400)
    expect((await postJson(server.url + '/v2/models/nope-model/infer', rowRequest(mnist, 0))).status).toBe(404)
    expect((await request(server.url + '/v2/models/mnist_sklearn')).status).toBe(200)
    expect((await request(server.url + '/v2/no/such/route-xyz')).status).toBe(404)
    await request(server.url + '/v2/health/ready')
    await request(server.url + '/v2/health/live')

    const client = inferenceClient(server.grpcAddress)
    try {
      for (let i = 0; i < 2; i++) await call(client, 'ModelInfer', {model_name: 'mushroom_xgboost', inputs: [{...rowRequest(mushroom, i).inputs[0], contents: {fp32s: rowRequest(mushroom, i).inputs[0].data}}]})
      await failure(client, 'ModelInfer', {model_name: 'mushroom_xgboost', inputs: [{name: 'x', datatype: 'FP32', shape: [1, 3], contents: {fp32s: [1, 2, 3]}}]})
      await failure(client, 'ModelInfer', {model_name: 'nope-grpc', inputs: []})
      await call(client, 'ServerReady', {})
    } finally {
      client.close()
    }

    const {samples, types, text} = await scrape()
    const mnistLabels = {model: 'mnist_sklearn', version: 'v1.0.0'}
    const mushroomLabels = {model: 'mushroom_xgboost', version: 'v2.0.0'}
    expect(types.get('model_infer_request_success_total')).toBe('counter')
    expect(types.get('model_infer_request_failure_total')).toBe('counter')
    expect(types.get('model_infer_request_duration')).toBe('histogram')
    expect(value(samples, 'model_infer_request_success_total', mnistLabels)).toBe(3)
    expect(value(samples, 'model_infer_request_failure_total', mnistLabels)).toBe(2)
    expect(value(samples, 'model_infer_request_duration_count', mnistLabels)).toBe(5)
    expect(value(samples, 'model_infer_request_duration_sum', mnistLabels)).toBeGreaterThan(0)
    expect(value(samples, 'model_infer_request_success_total', mushroomLabels)).toBe(2)
    expect(value(samples, 'model_infer_request_failure_total', mushroomLabels)).toBe(1)
    // The same failures by error code; the unknown models counted without their names (REST and gRPC).
    expect(types.get('mls_infer_errors_total')).toBe('counter')
    expect(value(samples, 'mls_infer_errors_total', {...mnistLabels, code: 'INVALID_SHAPE'})).toBe(2)
    expect(value(samples, 'mls_infer_errors_total', {...mushroomLabels, code: 'INVALID_SHAPE'})).toBe(1)
    expect(value(samples, 'mls_infer_unknown_model_total', {code: 'MODEL_NOT_FOUND'})).toBe(2)
    expect(value(samples, 'mls_infer_unknown_model_total', {code: 'MODEL_VERSION_NOT_FOUND'})).toBe(0)

    expect(types.get('rest_server_requests_total')).toBe('counter')
    expect(types.get('rest_server_requests_duration_seconds')).toBe('histogram')
    expect(types.get('rest_server_requests_in_progress')).toBe('gauge')
    const versioned = '/v2/models/:name/versions/:version/infer'
    expect(value(samples, 'rest_server_requests_total', {method: 'POST', path: versioned, status: '200'})).toBe(3)
    expect(value(samples, 'rest_server_requests_total', {method: 'POST', path: versioned, status: '400'})).toBe(2)
    expect(value(samples, 'rest_server_requests_total', {method: 'POST', path: '/v2/models/:name/infer', status: '404'})).toBe(1)
    expect(value(samples, 'rest_server_requests_total', {method: 'GET', path: '/v2/models/:name', status: '200'})).toBe(1)
    expect(value(samples, 'rest_server_requests_total', {method: 'GET', path: '<unmatched>', status: '404'})).toBe(1)
    expect(value(samples, 'rest_server_requests_duration_seconds_count', {method: 'POST', path: versioned})).toBe(5)
    expect(value(samples, 'rest_server_requests_in_progress', {method: 'POST', path: versioned})).toBe(0)

    expect(types.get('grpc_server_handled_total')).toBe('counter')
    expect(types.get('grpc_server_handling_seconds')).toBe('histogram')
    expect(value(samples, 'grpc_server_handled_total', {grpc_method: 'ModelInfer', grpc_code: 'OK'})).toBe(2)
    expect(value(samples, 'grpc_server_handled_total', {grpc_method: 'ModelInfer', grpc_code: 'INVALID_ARGUMENT'})).toBe(1)
    expect(value(samples, 'grpc_server_handled_total', {grpc_method: 'ModelInfer', grpc_code: 'NOT_FOUND'})).toBe(1)
    expect(value(samples, 'grpc_server_handled_total', {grpc_method: 'ServerReady', grpc_code: 'OK'})).toBe(1)
    expect(value(samples, 'grpc_server_handling_seconds_count', {grpc_method: 'ModelInfer'})).toBe(4)

    // Health is not REST traffic, and nothing a request sent becomes a label value.
    expect(samples.filter((s) => s.labels.path?.includes('health'))).toEqual([])
    expect(text).not.toMatch(/nope-model|nope-grpc|route-xyz/)
    const paths = new Set(samples.filter((s) => s.labels.path !== undefined).map((s) => s.labels.path))
    expect([...paths].sort()).toEqual(['/v2/models/:name', '/v2/models/:name/infer', versioned, '<unmatched>'].sort())
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter')
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge')
  })

  it('has a model_state gauge that follows unload and load', async () => {
    const state = async (s: string) => value((await scrape()).samples, 'model_state', {model: 'mushroom_xgboost', version: 'v2.0.0', state: s})
    expect(await state('READY')).toBe(1)
    expect(await state('UNAVAILABLE')).toBe(0)
    await request(server.url + '/v2/repository/models/mushroom_xgboost/unload', {method: 'POST'})
    expect(await state('READY')).toBe(0)
    expect(await state('UNAVAILABLE')).toBe(1)
    await request(server.url + '/v2/repository/models/mushroom_xgboost/load', {method: 'POST'})
    expect(await state('READY')).toBe(1)
  })

  it('serves only the metrics path on the metrics port, and no metrics on the REST port', async () => {
    const other = await request(server.metricsUrl!.replace(/\/metrics$/, '/other'))
    expect(other.status).toBe(404)
    expect(other.body.code).toBe('ROUTE_NOT_FOUND')
    expect((await request(server.url + '/metrics')).status).toBe(404)
  })

  it('is off with metrics_endpoint null, and follows metrics_endpoint', async () => {
    const off = await startMls(EXAMPLE, {env: {MLS_METRICS_ENDPOINT: 'null'}})
    try {
      expect(off.metricsUrl).toBeUndefined()
      expect(off.logs()).not.toMatch(/metrics listening/)
    } finally {
      await off.stop()
    }
    const custom = await startMls(EXAMPLE, {env: {MLSERVER_METRICS_ENDPOINT: '/prometheus'}})
    try {
      expect(custom.metricsUrl).toMatch(/\/prometheus$/)
      expect((await request(custom.metricsUrl!)).text).toMatch(/model_state/)
    } finally {
      await custom.stop()
    }
  })
})
