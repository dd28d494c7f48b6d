/**
 * Every bad input of the core issue answers 4xx with {"error", "code"}; the server stays up and both models keep
 * answering correctly afterwards. In-process: the example's models, REST through the app factory's `inject`.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from '../e2e/helpers/fixtures.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const row = rowRequest(mnist, 0).inputs[0]
const withInput = (patch: Record<string, unknown>) => JSON.stringify({inputs: [{...row, ...patch}]})
const without = (key: string) => JSON.stringify({inputs: [Object.fromEntries(Object.entries(row).filter(([k]) => k !== key))]})

let server: InProcessServer
const INFER = '/v2/models/mnist_sklearn/versions/v1.0.0/infer'

interface Case {
  name: string
  path?: string
  method?: string
  body?: string
  contentType?: string | null
  status: number
  code: string
  /** Words the message must contain. */
  says: RegExp
}

const cases: Case[] = [
  {name: 'malformed JSON', body: '{"inputs": [', status: 400, code: 'INVALID_JSON', says: /not valid JSON/},
  {name: 'empty body', body: '', status: 400, code: 'EMPTY_BODY', says: /empty/},
  {name: 'a body that is not an object', body: '[1,2,3]', status: 400, code: 'INVALID_REQUEST', says: /must be a JSON object, found an array/},
  {name: 'text/plain content type', body: withInput({}), contentType: 'text/plain', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', says: /text\/plain/},
  {name: 'missing inputs', body: '{}', status: 400, code: 'INVALID_REQUEST', says: /inputs: expected array, found nothing/},
  {name: 'missing shape', body: without('shape'), status: 400, code: 'INVALID_SHAPE', says: /inputs\[0\]\.shape/},
  {name: 'missing datatype', body: without('datatype'), status: 400, code: 'INVALID_DATATYPE', says: /inputs\[0\]\.datatype/},
  {name: 'missing data', body: without('data'), status: 400, code: 'INVALID_DATA', says: /inputs\[0\]\.data/},
  {name: 'inputs: []', body: '{"inputs": []}', status: 400, code: 'INVALID_REQUEST', says: /inputs: .*>=1/},
  {name: 'unknown datatype FP99', body: withInput({datatype: 'FP99'}), status: 400, code: 'INVALID_DATATYPE', says: /expected one of .*found "FP99"/},
  {name: 'shape [1,32] for a 64-feature model', body: withInput({shape: [1, 32], data: row.data.slice(0, 32)}), status: 400, code: 'INVALID_SHAPE', says: /\[1,32\] does not match .*\[-1,64\]/},
  {name: '63 values for shape [1,64]', body: withInput({data: row.data.slice(0, 63)}), status: 400, code: 'INVALID_DATA', says: /needs 64 values, found 63/},
  {name: '65 values for shape [1,64]', body: withInput({data: [...row.data, 0]}), status: 400, code: 'INVALID_DATA', says: /needs 64 values, found more than 64/},
  {name: 'negative shape', body: withInput({shape: [-1, 64]}), status: 400, code: 'INVALID_SHAPE', says: /shape\[0\]: expected a non-negative integer \(found -1\)/},
  {name: 'strings for FP32', body: withInput({data: row.data.map(String)}), status: 400, code: 'INVALID_DATA', says: /element 0 is "\d+", expected a number for FP32/},
  {name: 'NaN literal', body: withInput({}).replace(/"data":\[\d+/, '"data":[NaN'), status: 400, code: 'INVALID_JSON', says: /not valid JSON/},
  {name: 'BOOL data for a numeric input', body: withInput({datatype: 'BOOL', data: row.data.map(() => true)}), status: 400, code: 'INVALID_DATATYPE', says: /BOOL cannot be used for a FP32 input/},
  {name: 'BYTES data for a numeric input', body: withInput({datatype: 'BYTES', data: row.data.map(() => 'a')}), status: 400, code: 'INVALID_DATATYPE', says: /BYTES cannot be used/},
  {name: 'unknown model', path: '/v2/models/nope/infer', body: withInput({}), status: 404, code: 'MODEL_NOT_FOUND', says: /model "nope" not found/},
  {name: 'unknown version', path: '/v2/models/mnist_sklearn/versions/v9/infer', body: withInput({}), status: 404, code: 'MODEL_VERSION_NOT_FOUND', says: /no version "v9" \(versions: v1\.0\.0\)/},
  {name: 'unload of an unknown model', path: '/v2/repository/models/nope/unload', body: '', status: 404, code: 'MODEL_NOT_FOUND', says: /"nope" not found/},
  {name: 'load of an unknown model', path: '/v2/repository/models/nope/load', body: '', status: 404, code: 'MODEL_NOT_FOUND', says: /"nope" not found/},
  {name: 'a requested output that does not exist', body: JSON.stringify({inputs: [row], outputs: [{name: 'predict_proba'}]}), status: 400, code: 'OUTPUT_NOT_FOUND', says: /no output "predict_proba"; its outputs are "predict", "label", "scores"/},
  {name: 'an unknown route', path: '/v2/nothing/here', method: 'GET', status: 404, code: 'ROUTE_NOT_FOUND', says: /no endpoint GET \/v2\/nothing\/here/},
  {name: 'metadata of an unknown model', path: '/v2/models/nope', method: 'GET', status: 404, code: 'MODEL_NOT_FOUND', says: /"nope" not found/},
  {name: 'an index request with a wrong field type', path: '/v2/repository/index', body: '{"ready": "yes"}', status: 400, code: 'INVALID_REQUEST', says: /ready: .*expected boolean/},
]

beforeAll(async () => {
  server = await startInProcess(EXAMPLE)
})
afterAll(async () => {
  await server.close()
})

describe('bad input', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.status} ${c.code}`, async () => {
      const headers: Record<string, string> = {}
      if (c.contentType !== null) headers['content-type'] = c.contentType ?? 'application/json'
      const res = await server.request(c.path ?? INFER, {method: c.method ?? 'POST', body: c.method === 'GET' ? undefined : c.body, headers})
      expect(res.status).toBe(c.status)
      expect(res.headers.get('content-type')).toMatch(/application\/json/)
      expect(Object.keys(res.body).sort()).toEqual(['code', 'error'])
      expect(res.body.code).toBe(c.code)
      expect(res.body.error).toMatch(c.says)
    })
  }

  it('converts FP64 and INT32 data for the FP32 model, as MLServer does', async () => {
    for (const datatype of ['FP64', 'INT32', 'INT64', 'UINT8']) {
      const res = await server.request(INFER, {method: 'POST', body: withInput({datatype}), headers: {'content-type': 'application/json'}})
      expect(res.status).toBe(200)
      expect(res.body.outputs[0].data).toEqual([mnist.expected.predict[0]])
    }
  })

  it('refuses INT32 data that is not an integer', async () => {
    const res = await server.request(INFER, {method: 'POST', body: withInput({datatype: 'INT32', data: row.data.map((v, i) => (i === 2 ? 1.5 : v))}), headers: {'content-type': 'application/json'}})
    expect(res.status).toBe(400)
    expect(res.body).toEqual({code: 'INVALID_DATA', error: 'input "predict": element 2 is 1.5, expected an integer for INT32'})
  })

  it('accepts nested data and curl\'s default form content type', async () => {
    const nested = JSON.stringify({inputs: [{...row, data: [row.data]}]})
    const res = await server.request(INFER, {method: 'POST', body: nested, headers: {'content-type': 'application/x-www-form-urlencoded'}})
    expect(res.status).toBe(200)
    const untyped = await server.request(INFER, {method: 'POST', body: new TextEncoder().encode(nested)})
    expect(untyped.status).toBe(200)
  })

  it('answers 413 over max_request_size', async () => {
    const small = await startInProcess(EXAMPLE, {flags: {max_request_size: 1000}})
    try {
      const res = await small.request(INFER, {method: 'POST', body: withInput({}) + ' '.repeat(1000), headers: {'content-type': 'application/json'}})
      expect(res.status).toBe(413)
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE')
    } finally {
      await small.close()
    }
  })

  it('stays up and keeps both models answering correctly', async () => {
    expect((await server.request('/v2/health/ready')).status).toBe(200)
    const a = await server.postJson(INFER, rowRequest(mnist, 3))
    expect(a.body.outputs[0].data).toEqual([mnist.expected.predict[3]])
    const b = await server.postJson('/v2/models/mushroom_xgboost/infer', rowRequest(mushroom, 3))
    expect(b.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[3], 6)
    expect((await server.request('/v2/health/live')).status).toBe(200)
  })
})
