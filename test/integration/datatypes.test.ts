/**
 * Every V2 datatype through REST JSON, gRPC typed contents and gRPC raw contents, against ONNX Identity graphs
 * (test/fixtures/models/identity_<dt>, made by test/fixtures/make-models.py): what goes in comes back out. In-process:
 * REST through `inject`, gRPC on an in-process server.
 */
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {call, failure, inferenceClient} from '../e2e/helpers/grpc-client.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const MODELS = fileURLToPath(new URL('../fixtures/models', import.meta.url))

/** Values per datatype, chosen to be exact in the type (FP16 values are representable in half precision). */
const CASES = {
  BOOL: {model: 'identity_bool', values: [true, false, true], field: 'bools'},
  INT8: {model: 'identity_int8', values: [-128, 0, 127], field: 'ints'},
  INT16: {model: 'identity_int16', values: [-32768, 5, 32767], field: 'ints'},
  INT32: {model: 'identity_int32', values: [-2147483648, 7, 2147483647], field: 'ints'},
  INT64: {model: 'identity_int64', values: [-9007199254740991, 0, 9007199254740991], field: 'int64s'},
  UINT8: {model: 'identity_uint8', values: [0, 1, 255], field: 'uints'},
  UINT16: {model: 'identity_uint16', values: [0, 2, 65535], field: 'uints'},
  UINT32: {model: 'identity_uint32', values: [0, 3, 4294967295], field: 'uints'},
  UINT64: {model: 'identity_uint64', values: [0, 4, 9007199254740991], field: 'uint64s'},
  FP16: {model: 'identity_fp16', values: [0.5, -2, 65504], field: undefined},
  FP32: {model: 'identity_fp32', values: [1.5, -0.25, 3.4028234663852886e38], field: 'fp32s'},
  FP64: {model: 'identity_fp64', values: [Math.PI, -1e-300, 1e300], field: 'fp64s'},
  BYTES: {model: 'identity_bytes', values: ['hello', '', 'héllo ✓'], field: 'bytes'},
} as const

type Datatype = keyof typeof CASES

function rawOf(datatype: Datatype, values: readonly unknown[]): Buffer {
  const v = values as never[]
  switch (datatype) {
    case 'BOOL': return Buffer.from(Uint8Array.from(v, (b: boolean) => (b ? 1 : 0)))
    case 'INT8': return Buffer.from(new Int8Array(v).buffer)
    case 'INT16': return Buffer.from(new Int16Array(v).buffer)
    case 'INT32': return Buffer.from(new Int32Array(v).buffer)
    case 'INT64': return Buffer.from(BigInt64Array.from(v, (n: number) => BigInt(n)).buffer)
    case 'UINT8': return Buffer.from(new Uint8Array(v).buffer)
    case 'UINT16': return Buffer.from(new Uint16Array(v).buffer)
    case 'UINT32': return Buffer.from(new Uint32Array(v).buffer)
    case 'UINT64': return Buffer.from(BigUint64Array.from(v, (n: number) => BigInt(n)).buffer)
    case 'FP16': return Buffer.from(new Uint16Array([0x3800, 0xc000, 0x7bff]).buffer) // 0.5, -2, 65504
    case 'FP32': return Buffer.from(new Float32Array(v).buffer)
    case 'FP64': return Buffer.from(new Float64Array(v).buffer)
    case 'BYTES': return Buffer.concat((v as string[]).flatMap((s) => {
      const bytes = Buffer.from(s)
      const length = Buffer.alloc(4)
      length.writeUInt32LE(bytes.length)
      return [length, bytes]
    }))
  }
}

let server: InProcessServer
let client: ReturnType<typeof inferenceClient>

beforeAll(async () => {
  server = await startInProcess(MODELS)
  client = inferenceClient(server.grpcAddress)
})
afterAll(async () => {
  client?.close()
  await server?.close()
})

describe('every datatype round-trips', () => {
  for (const [datatype, {model, values}] of Object.entries(CASES) as Array<[Datatype, (typeof CASES)[Datatype]]>) {
    it(`REST JSON: ${datatype}`, async () => {
      const res = await server.postJson(`/v2/models/${model}/infer`, {inputs: [{name: 'x', datatype, shape: [3], data: values}]})
      expect(res.status).toBe(200)
      expect(res.body.outputs).toEqual([{name: 'y', datatype, shape: [3], data: values}])
    })

    it(`gRPC raw contents: ${datatype}`, async () => {
      const raw = rawOf(datatype, values)
      const res = await call(client, 'ModelInfer', {model_name: model, inputs: [{name: 'x', datatype, shape: [3]}], raw_input_contents: [raw]})
      expect(res.outputs[0]).toMatchObject({name: 'y', datatype, shape: ['3']})
      expect(Buffer.compare(res.raw_output_contents[0], raw)).toBe(0)
    })
  }

  for (const [datatype, {model, values, field}] of Object.entries(CASES) as Array<[Datatype, (typeof CASES)[Datatype]]>) {
    if (field === undefined) continue
    it(`gRPC typed contents: ${datatype}`, async () => {
      const sent = datatype === 'BYTES' ? (values as readonly string[]).map((s) => Buffer.from(s)) : values
      const res = await call(client, 'ModelInfer', {model_name: model, inputs: [{name: 'x', datatype, shape: [3], contents: {[field]: sent}}]})
      const back = res.outputs[0].contents[field]
      const expected = datatype === 'INT64' || datatype === 'UINT64' ? values.map(String) : sent
      expect(back).toEqual(expected)
      expect(res.raw_output_contents).toEqual([])
    })
  }

  it('FP16 over typed gRPC contents is refused with where to send it', async () => {
    const result = await failure(client, 'ModelInfer', {model_name: 'identity_fp16', inputs: [{name: 'x', datatype: 'FP16', shape: [1], contents: {fp32s: [1]}}]})
    expect(result).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_DATA'})
    expect(result.details).toMatch(/FP16 data must be sent in raw_input_contents/)
  })

  it('refuses values that do not fit the datatype (REST and gRPC alike)', async () => {
    const rest = await server.postJson(`/v2/models/identity_int8/infer`, {inputs: [{name: 'x', datatype: 'INT8', shape: [1], data: [128]}]})
    expect(rest.body).toEqual({code: 'INVALID_DATA', error: 'input "x": element 0 is 128, expected a value in the INT8 range [-128, 127]'})
    const grpc = await failure(client, 'ModelInfer', {model_name: 'identity_int8', inputs: [{name: 'x', datatype: 'INT8', shape: [1], contents: {ints: [128]}}]})
    expect(grpc).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_DATA', details: rest.body.error})
  })

  it('carries a 16 MiB tensor over gRPC (raw) within the default message limit', async () => {
    const values = new Float32Array(4 * 1024 * 1024).map((_, i) => i % 1000)
    const res = await call(client, 'ModelInfer', {
      model_name: 'identity_fp32',
      inputs: [{name: 'x', datatype: 'FP32', shape: [values.length]}],
      raw_input_contents: [Buffer.from(values.buffer)],
    })
    expect(res.raw_output_contents[0].length).toBe(16 * 1024 * 1024)
    expect(Buffer.compare(res.raw_output_contents[0], Buffer.from(values.buffer))).toBe(0)
  })
})
