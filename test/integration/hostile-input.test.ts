/**
 * Hostile input beyond the core list (test/e2e/bad-input.test.ts, grpc.test.ts and binary.test.ts hold that): bodies
 * and messages over the limits, deep nesting (refused past max_json_depth), shapes whose element count is astronomical, BYTES that are not UTF-8
 * under `str`, unknown content types, duplicate input names, path traversal and overlong or badly encoded names.
 * Each answers 4xx (REST: exactly {"error", "code"}) or the mapped gRPC status with `mls-error-code`; afterwards the
 * server is ready and every model still answers. In-process: REST through `inject`, gRPC on an in-process server.
 */
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {fuzzRepository, seeds} from '../fuzz/corpus.js'
import {call, failure, inferenceClient} from '../e2e/helpers/grpc-client.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const LIMIT = 1_000_000
let server: InProcessServer
let repo: ReturnType<typeof fuzzRepository>
let client: ReturnType<typeof inferenceClient>

beforeAll(async () => {
  repo = fuzzRepository()
  server = await startInProcess(repo.dir, {flags: {max_request_size: LIMIT}, env: {MLS_GRPC_MAX_MESSAGE_LENGTH: String(LIMIT)}})
  client = inferenceClient(server.grpcAddress)
})
afterAll(async () => {
  client?.close()
  try {
    await server?.close()
  } finally {
    repo?.cleanup()
  }
})

/** Equal, numbers within 1e-6 relative (as test/fuzz/checks.ts compares). */
const close = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)) : a === b)
/** max_json_depth's refusal (64 by default), at the byte that opens level 65. */
const TOO_DEEP = /^the JSON body nests arrays or objects deeper than max_json_depth \(64\): byte offset \d+ opens level 65$/
const deep = (depth: number, inner: string) => '['.repeat(depth) + inner + ']'.repeat(depth)
const input = (patch: Record<string, unknown> = {}) => ({name: 'x', shape: [2], datatype: 'FP32', data: [1, 2], ...patch})
const body = (...inputs: unknown[]) => JSON.stringify({inputs})
/** The binary extension: JSON header, then the bytes. */
function binary(header: unknown, bytes: Uint8Array): {body: Buffer; headers: Record<string, string>} {
  return binaryText(JSON.stringify(header), bytes)
}
function binaryText(header: string, bytes: Uint8Array): {body: Buffer; headers: Record<string, string>} {
  const json = Buffer.from(header)
  return {body: Buffer.concat([json, bytes]), headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length)}}
}
/** BYTES elements in raw form: a 4-byte little-endian length, then the bytes. */
function rawElements(...elements: number[][]): Buffer {
  return Buffer.concat(elements.map((e) => Buffer.concat([Buffer.from(new Uint32Array([e.length]).buffer), Buffer.from(e)])))
}
const NOT_UTF8 = [[0x61], [0xff, 0xfe], [0xc3]]

interface RestCase {
  name: string
  path?: string
  body?: string | Buffer
  headers?: Record<string, string>
  status: number
  code: string
  says: RegExp
}

const FP32 = '/v2/models/identity_fp32/infer'
const BYTES = '/v2/models/identity_bytes/infer'
const restCases: RestCase[] = [
  {name: `a body over max_request_size (${LIMIT} bytes)`, body: body(input({data: Array(300_000).fill(1.5), shape: [300_000]})), status: 413, code: 'PAYLOAD_TOO_LARGE', says: /body/i},
  {name: 'data nested 100,000 levels deep', body: `{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":${deep(100_000, '1')}}]}`, status: 400, code: 'JSON_TOO_DEEP', says: TOO_DEEP},
  {name: 'a name nested 100,000 levels deep', body: `{"inputs":[{"name":${deep(100_000, '"x"')},"shape":[1],"datatype":"FP32","data":[1]}]}`, status: 400, code: 'JSON_TOO_DEEP', says: TOO_DEEP},
  {name: 'binary_data_size nested 50,000 objects deep', ...binaryText(`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}}]}`, new Uint8Array(4)), status: 400, code: 'JSON_TOO_DEEP', says: TOO_DEEP},
  // Within max_json_depth (64), deep nesting reaches the data plane as before.
  {name: 'data nested 60 levels deep', body: `{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":${deep(60, '1')}}]}`, status: 400, code: 'INVALID_DATA', says: /shape \[2\] needs 2 values, found 1/},
  {name: 'binary_data_size nested 55 objects deep', ...binaryText(`{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":${'{"a":'.repeat(55)}1${'}'.repeat(55)}}}]}`, new Uint8Array(4)), status: 400, code: 'INVALID_REQUEST', says: /binary_data_size: expected a non-negative integer, found an object/},
  {name: 'a shape of 10^15 elements with one value (nothing allocated first)', body: body(input({shape: [1e15], data: [1]})), status: 400, code: 'INVALID_DATA', says: /shape \[1000000000000000\] needs 1000000000000000 values, found 1/},
  {name: 'a shape of 2^93 elements in binary (nothing allocated first)', ...binary({inputs: [{name: 'x', shape: [2 ** 31, 2 ** 31, 2 ** 31], datatype: 'FP32', parameters: {binary_data_size: 4}}]}, new Uint8Array(4)), path: '/v2/models/mnist_sklearn/infer', status: 400, code: 'INVALID_SHAPE', says: /does not match the model input/},
  {name: 'a shape of 2^52 elements for a one-dimension input, binary', ...binary({inputs: [{name: 'x', shape: [2 ** 52], datatype: 'FP32', parameters: {binary_data_size: 4}}]}, new Uint8Array(4)), status: 400, code: 'INVALID_DATA', says: /4 raw bytes cannot hold \d+ FP32 values/},
  {name: 'BYTES that are not UTF-8 under content_type str (binary)', path: BYTES, ...binary({inputs: [{name: 'x', shape: [3], datatype: 'BYTES', parameters: {binary_data_size: 16, content_type: 'str'}}]}, rawElements(...NOT_UTF8)), status: 400, code: 'INVALID_DATA', says: /input "x": content type "str": element 1 is not valid UTF-8/},
  {name: 'an unknown content_type on an input', path: BYTES, body: body({name: 'x', shape: [1], datatype: 'BYTES', data: ['a'], parameters: {content_type: 'xml'}}), status: 400, code: 'INVALID_REQUEST', says: /input "x": unknown content type "xml"; input content types: np, str, base64, datetime/},
  {name: 'an unknown content_type on the request', body: JSON.stringify({inputs: [input()], parameters: {content_type: 'csv'}}), status: 400, code: 'INVALID_REQUEST', says: /request: unknown content type "csv"; request content types: np, str, pd/},
  {name: 'a content_type that is not a string', body: body(input({parameters: {content_type: {np: true}}})), status: 400, code: 'INVALID_REQUEST', says: /parameters\.content_type: expected a string, found an object/},
  {name: 'duplicate input names', body: body(input(), input()), status: 400, code: 'INPUT_MISMATCH', says: /input "x" is given more than once/},
  {name: 'path traversal in the model name', path: '/v2/models/..%2F..%2Fetc%2Fpasswd/infer', body: body(input()), status: 404, code: 'MODEL_NOT_FOUND', says: /model "\.\.\/\.\.\/etc\/passwd" not found/},
  {name: 'path traversal in the version', path: '/v2/models/identity_fp32/versions/..%2F..%2Fmnist_sklearn/infer', body: body(input()), status: 404, code: 'MODEL_VERSION_NOT_FOUND', says: /no version "\.\.\/\.\.\/mnist_sklearn"/},
  {name: 'path traversal in a load', path: '/v2/repository/models/..%2Fmnist_sklearn/load', body: '', status: 404, code: 'MODEL_NOT_FOUND', says: /"\.\.\/mnist_sklearn" not found/},
  {name: 'a model name over 500 characters', path: `/v2/models/${'m'.repeat(600)}/infer`, body: body(input()), status: 400, code: 'INVALID_REQUEST', says: /path segment \(a model name or version\) is longer than 500 characters/},
  {name: 'malformed percent-encoding in the path', path: '/v2/models/%E0%A4%A/infer', body: body(input()), status: 400, code: 'INVALID_REQUEST', says: /malformed percent-encoding/},
  {name: 'a body that is one 200 kB JSON string (the message stays short)', body: JSON.stringify('s'.repeat(200_000)), status: 400, code: 'INVALID_REQUEST', says: /^the request body must be a JSON object, found "s{40}\.\.\."$/},
  {name: 'Infinity written as 1e400', body: body(input()).replace('[1,2]', '[1e400,2]').replace('"FP32"', '"INT32"'), status: 400, code: 'INVALID_DATA', says: /element 0 is Infinity, expected an integer for INT32/},
  {name: 'the same output requested twice', path: '/v2/models/mnist_sklearn/infer', body: JSON.stringify({inputs: [{name: 'predict', shape: [1, 64], datatype: 'FP32', data: Array(64).fill(0)}], outputs: [{name: 'predict'}, {name: 'predict'}]}), status: 400, code: 'INVALID_REQUEST', says: /^output "predict" is requested more than once/},
  ...[' 102 ', '0x66', '102e0', '-0', '+5', ''].map((length) => ({
    name: `Inference-Header-Content-Length ${JSON.stringify(length)} (digits only)`,
    body: binary({inputs: [input({parameters: {binary_data_size: 8}})]}, new Uint8Array(8)).body,
    headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': length},
    status: 400,
    code: 'INVALID_REQUEST',
    says: /^Inference-Header-Content-Length: expected a non-negative integer/,
  })),
  {name: 'an id that is not a string', body: JSON.stringify({id: 5, inputs: [input()]}), status: 400, code: 'INVALID_REQUEST', says: /id: expected string, found 5/},
]

describe('REST: hostile input', () => {
  for (const c of restCases) {
    it(`${c.name}: ${c.status} ${c.code}`, async () => {
      const res = await server.request(c.path ?? FP32, {method: 'POST', body: c.body, headers: c.headers ?? {'content-type': 'application/json'}})
      expect(res.status).toBe(c.status)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(Object.keys(res.body).sort()).toEqual(['code', 'error'])
      expect(res.body.code).toBe(c.code)
      expect(res.body.error).toMatch(c.says)
    })
  }
})

/** Sends bytes as they are to a method of a service; resolves with the failure (or 'OK'). */
function rawCall(method: string, bytes: Buffer): Promise<{code: string; details: string; errorCode: unknown} | 'OK'> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(method, (b: Buffer) => b, (b: Buffer) => b, bytes, (error: grpc.ServiceError | null) =>
      resolve(error ? {code: grpc.status[error.code], details: error.details, errorCode: error.metadata.get('mls-error-code')[0]} : 'OK'),
    ),
  )
}

describe('gRPC: hostile input', () => {
  const fp32 = (patch: Record<string, unknown> = {}) => ({name: 'x', datatype: 'FP32', shape: [2], contents: {fp32s: [1, 2]}, ...patch})
  const infer = (inputs: unknown[], extra: Record<string, unknown> = {}) => ({model_name: 'identity_fp32', inputs, ...extra})
  const cases: Array<[string, unknown, string, string, RegExp]> = [
    ['a shape of 10^15 elements with one value', infer([fp32({shape: ['1000000000000000'], contents: {fp32s: [1]}})]), 'INVALID_ARGUMENT', 'INVALID_DATA', /needs 1000000000000000 values, found 1/],
    ['a raw shape of 2^52 elements', infer([{name: 'x', datatype: 'FP32', shape: [String(2 ** 52)]}], {raw_input_contents: [Buffer.alloc(4)]}), 'INVALID_ARGUMENT', 'INVALID_DATA', /4 raw bytes cannot hold/],
    ['BYTES that are not UTF-8 under content_type str', {model_name: 'identity_bytes', inputs: [{name: 'x', datatype: 'BYTES', shape: [3], parameters: {content_type: {s: 'str'}}, contents: {bytes: NOT_UTF8.map((e) => Buffer.from(e))}}]}, 'INVALID_ARGUMENT', 'INVALID_DATA', /element 1 is not valid UTF-8/],
    ['an unknown content_type', infer([fp32({parameters: {content_type: {s: 'xml'}}})]), 'INVALID_ARGUMENT', 'INVALID_REQUEST', /unknown content type "xml"/],
    ['a content_type that is a bool', infer([fp32({parameters: {content_type: {b: true}}})]), 'INVALID_ARGUMENT', 'INVALID_REQUEST', /content_type: expected a string, found true/],
    ['duplicate input names', infer([fp32(), fp32()]), 'INVALID_ARGUMENT', 'INPUT_MISMATCH', /given more than once/],
    ['the same output requested twice', {model_name: 'mnist_sklearn', inputs: [{name: 'predict', datatype: 'FP32', shape: ['1', '64'], contents: {fp32s: Array(64).fill(0)}}], outputs: [{name: 'predict'}, {name: 'predict'}]}, 'INVALID_ARGUMENT', 'INVALID_REQUEST', /output "predict" is requested more than once/],
    ['path traversal in the model name', {...infer([fp32()]), model_name: '../../etc/passwd'}, 'NOT_FOUND', 'MODEL_NOT_FOUND', /"\.\.\/\.\.\/etc\/passwd" not found/],
    ['path traversal in the version', {...infer([fp32()]), model_version: '../mnist_sklearn'}, 'NOT_FOUND', 'MODEL_VERSION_NOT_FOUND', /no version "\.\.\/mnist_sklearn"/],
  ]
  for (const [name, message, code, errorCode, says] of cases) {
    it(`${name}: ${code} ${errorCode}`, async () => {
      const result = await failure(client, 'ModelInfer', message)
      expect(result).toMatchObject({code, errorCode})
      expect(result.details).toMatch(says)
    })
  }

  it(`a message over grpc_max_message_length (${LIMIT} bytes): RESOURCE_EXHAUSTED from grpc-js, before mls reads it`, async () => {
    const result = await failure(client, 'ModelInfer', infer([fp32({shape: [300_000], contents: {fp32s: new Array(300_000).fill(0.5)}})]))
    expect(result.code).toBe('RESOURCE_EXHAUSTED')
    expect(result.details).toMatch(/larger than max \(\d+ vs\.? 1000000\)/)
  })

  it('malformed protobuf bytes on every kind of rpc: INVALID_ARGUMENT INVALID_REQUEST, Health included', async () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff])
    for (const method of ['/inference.GRPCInferenceService/ModelInfer', '/inference.GRPCInferenceService/ModelMetadata', '/inference.model_repository.ModelRepositoryService/RepositoryIndex', '/grpc.health.v1.Health/Check']) {
      expect(await rawCall(method, garbage), method).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_REQUEST', details: expect.stringMatching(/^malformed protobuf message/)})
    }
  })

  it('a malformed Health/Watch request ends the stream with INVALID_ARGUMENT', async () => {
    const definition = protoLoader.loadSync(fileURLToPath(new URL('../../proto/health.proto', import.meta.url)), {keepCase: true})
    const Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health
    const health = new Health(server.grpcAddress, grpc.credentials.createInsecure())
    try {
      const stream = health.makeServerStreamRequest('/grpc.health.v1.Health/Watch', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0xff, 0xff]))
      const error = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve))
      expect(grpc.status[error.code]).toBe('INVALID_ARGUMENT')
    } finally {
      health.close()
    }
  })
})

describe('afterwards', () => {
  it('the server is ready on both transports and every model answers correctly', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready']) expect((await server.request(path)).status, path).toBe(200)
    // Every seed of the fuzz corpus with a known answer still gets it (as test/fuzz/checks.ts checkServing does over HTTP).
    for (const seed of seeds()) {
      if (seed.expected === undefined) continue
      const path = seed.version === undefined ? `/v2/models/${seed.model}/infer` : `/v2/models/${seed.model}/versions/${seed.version}/infer`
      const res = await server.postJson(path, {inputs: seed.inputs})
      expect(res.status, seed.model).toBe(200)
      expect(res.body.outputs[0].data.length, seed.model).toBe(seed.expected.length)
      const wrong = (res.body.outputs[0].data as unknown[]).filter((value, i) => !close(value, seed.expected![i]))
      expect(wrong, seed.model).toEqual([])
    }
    expect(await call(client, 'ServerReady', {})).toEqual({ready: true})
  })
})
