/**
 * The binary tensor data extension on REST: binary inputs and outputs for the example models and for every datatype
 * (ONNX Identity fixtures, BYTES and FP16 included), and every way its framing can be wrong. In-process: REST through
 * the app factory's `inject`.
 */
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, readTestSet} from '../e2e/helpers/fixtures.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const MODELS = fileURLToPath(new URL('../fixtures/models', import.meta.url))
const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

let example: InProcessServer
let identity: InProcessServer
beforeAll(async () => {
  ;[example, identity] = await Promise.all([startInProcess(EXAMPLE), startInProcess(MODELS)])
})
afterAll(async () => {
  await Promise.all([example?.close(), identity?.close()])
})

/** A binary-extension body: JSON header then the chunks. */
function frame(header: unknown, ...chunks: Uint8Array[]): {body: Buffer; headers: Record<string, string>} {
  const json = Buffer.from(JSON.stringify(header))
  return {body: Buffer.concat([json, ...chunks]), headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length)}}
}

async function post(server: InProcessServer, model: string, framed: {body: Buffer; headers: Record<string, string>}) {
  const response = await server.raw(`/v2/models/${model}/infer`, {method: 'POST', body: framed.body, headers: framed.headers})
  const bytes = response.bytes
  const headerLength = response.headers.get('inference-header-content-length')
  const json = JSON.parse(bytes.subarray(0, headerLength === null ? bytes.length : Number(headerLength)).toString())
  return {status: response.status, json, rest: headerLength === null ? Buffer.alloc(0) : bytes.subarray(Number(headerLength)), type: response.headers.get('content-type')}
}

describe('binary tensor data', () => {
  it('is advertised in server metadata', async () => {
    expect((await example.request('/v2')).body.extensions).toContain('binary_tensor_data')
  })

  it('binary input, JSON output: all 899 mnist rows give sklearn\'s labels', async () => {
    const values = Float32Array.from(mnist.request.inputs[0].data as number[])
    const res = await post(example, 'mnist_sklearn', frame({inputs: [{name: 'predict', shape: [899, 64], datatype: 'FP32', parameters: {binary_data_size: values.byteLength}}]}, new Uint8Array(values.buffer)))
    expect(res.status).toBe(200)
    expect(res.type).toMatch(/application\/json/)
    expect(res.json.outputs[0].data).toEqual(mnist.expected.predict)
  })

  it('binary_data_output: true answers with binary outputs after the JSON header', async () => {
    const values = Float32Array.from(mnist.request.inputs[0].data.slice(0, 3 * 64) as number[])
    const res = await post(example, 'mnist_sklearn', frame({parameters: {binary_data_output: true}, inputs: [{name: 'predict', shape: [3, 64], datatype: 'FP32', parameters: {binary_data_size: values.byteLength}}]}, new Uint8Array(values.buffer)))
    expect(res.type).toMatch(/application\/octet-stream/)
    expect(res.json.outputs[0]).toEqual({name: 'predict', shape: [3, 1], datatype: 'INT64', parameters: {binary_data_size: 24}})
    expect(Array.from(new BigInt64Array(res.rest.buffer.slice(res.rest.byteOffset, res.rest.byteOffset + 24)), Number)).toEqual(mnist.expected.predict.slice(0, 3))
  })

  it('binary_data on one requested output, JSON input', async () => {
    const json = {inputs: [{name: 'predict', shape: [1, 64], datatype: 'FP32', data: mnist.request.inputs[0].data.slice(0, 64)}], outputs: [{name: 'predict'}, {name: 'scores', parameters: {binary_data: true}}]}
    const res = await post(example, 'mnist_sklearn', {body: Buffer.from(JSON.stringify(json)), headers: {'content-type': 'application/json'}})
    expect(res.json.outputs[0]).toMatchObject({name: 'predict', data: [mnist.expected.predict[0]]})
    expect(res.json.outputs[1]).toEqual({name: 'scores', shape: [1, 45], datatype: 'FP32', parameters: {binary_data_size: 180}})
    expect(res.rest.length).toBe(180)
  })

  const cases: Array<[string, string, Uint8Array, number]> = [
    ['BOOL', 'identity_bool', Uint8Array.from([1, 0, 1]), 3],
    ['INT8', 'identity_int8', new Uint8Array(new Int8Array([-128, 0, 127]).buffer), 3],
    ['INT16', 'identity_int16', new Uint8Array(new Int16Array([-32768, 1, 32767]).buffer), 3],
    ['INT32', 'identity_int32', new Uint8Array(new Int32Array([-5, 0, 5]).buffer), 3],
    ['INT64', 'identity_int64', new Uint8Array(new BigInt64Array([-(2n ** 62n), 0n, 2n ** 62n]).buffer), 3],
    ['UINT8', 'identity_uint8', Uint8Array.from([0, 128, 255]), 3],
    ['UINT16', 'identity_uint16', new Uint8Array(new Uint16Array([0, 1, 65535]).buffer), 3],
    ['UINT32', 'identity_uint32', new Uint8Array(new Uint32Array([0, 1, 4294967295]).buffer), 3],
    ['UINT64', 'identity_uint64', new Uint8Array(new BigUint64Array([0n, 1n, 2n ** 63n]).buffer), 3],
    ['FP16', 'identity_fp16', new Uint8Array(new Uint16Array([0x3800, 0xc000, 0x7bff]).buffer), 3],
    ['FP32', 'identity_fp32', new Uint8Array(new Float32Array([1.5, NaN, -Infinity]).buffer), 3],
    ['FP64', 'identity_fp64', new Uint8Array(new Float64Array([Math.PI, -0, 1e300]).buffer), 3],
    ['BYTES', 'identity_bytes', Uint8Array.from([2, 0, 0, 0, 104, 105, 0, 0, 0, 0, 3, 0, 0, 0, 0xe2, 0x9c, 0x93]), 3],
  ]
  for (const [datatype, model, bytes, n] of cases) {
    it(`round-trips ${datatype} byte for byte`, async () => {
      const res = await post(identity, model, frame({parameters: {binary_data_output: true}, inputs: [{name: 'x', shape: [n], datatype, parameters: {binary_data_size: bytes.length}}]}, bytes))
      expect(res.status).toBe(200)
      expect(res.json.outputs[0]).toEqual({name: 'y', shape: [n], datatype, parameters: {binary_data_size: bytes.length}})
      expect(Buffer.compare(res.rest, Buffer.from(bytes))).toBe(0)
    })
  }

  it('FP16 binary input with a JSON answer gives the values', async () => {
    const bytes = new Uint8Array(new Uint16Array([0x3800, 0xc000]).buffer)
    const res = await post(identity, 'identity_fp16', frame({inputs: [{name: 'x', shape: [2], datatype: 'FP16', parameters: {binary_data_size: 4}}]}, bytes))
    expect(res.json.outputs[0].data).toEqual([0.5, -2])
  })
})

describe('binary framing errors: 4xx with the code, the server stays up', () => {
  const input = (size: number) => ({inputs: [{name: 'predict', shape: [1, 64], datatype: 'FP32', parameters: {binary_data_size: size}}]})
  const cases: Array<[string, () => {body: Buffer; headers: Record<string, string>}, string, RegExp]> = [
    ['lengths that disagree with the shape', () => frame(input(128), new Uint8Array(128)), 'INVALID_DATA', /128 raw bytes cannot hold 64 FP32 values \(256 bytes expected\)/],
    ['binary_data_size past the end of the body', () => frame(input(256), new Uint8Array(100)), 'INVALID_DATA', /binary_data_size 256 runs past the end of the body \(100 bytes left\)/],
    ['bytes nobody accounts for', () => frame(input(256), new Uint8Array(300)), 'INVALID_REQUEST', /44 bytes after the JSON header/],
    ['Inference-Header-Content-Length beyond the body', () => {
      const f = frame(input(256), new Uint8Array(256))
      return {body: f.body, headers: {...f.headers, 'inference-header-content-length': '99999'}}
    }, 'INVALID_REQUEST', /Inference-Header-Content-Length is 99999 but the body has only \d+ bytes/],
    ['Inference-Header-Content-Length that is not a number', () => {
      const f = frame(input(256), new Uint8Array(256))
      return {body: f.body, headers: {...f.headers, 'inference-header-content-length': 'ten'}}
    }, 'INVALID_REQUEST', /expected a non-negative integer, found "ten"/],
    ['octet-stream without the header', () => ({body: Buffer.alloc(10), headers: {'content-type': 'application/octet-stream'}}), 'INVALID_REQUEST', /needs an Inference-Header-Content-Length header/],
    ['both data and binary_data_size', () => frame({inputs: [{name: 'predict', shape: [1, 64], datatype: 'FP32', data: [], parameters: {binary_data_size: 0}}]}), 'INVALID_REQUEST', /has both data and binary_data_size/],
  ]
  for (const [name, make, code, says] of cases) {
    it(name, async () => {
      const res = await post(example, 'mnist_sklearn', make())
      expect(res.status).toBe(400)
      expect(res.json.code).toBe(code)
      expect(res.json.error).toMatch(says)
    })
  }

  it('still serves afterwards', async () => {
    expect((await example.request('/v2/health/ready')).status).toBe(200)
  })
})
