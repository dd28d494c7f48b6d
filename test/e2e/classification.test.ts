/**
 * Triton's classification extension on the built CLI, over real HTTP and gRPC, with requests shaped as tritonclient
 * builds them (InferRequestedOutput(name, binary_data, class_count=k): output parameters {"classification": k,
 * "binary_data": b}; gRPC int64_param). Every expectation is computed here from the raw scores of the same request:
 * each row's classes best first, "score:index[:label]", the score as printf("%f") writes it. Also: a repository load
 * carrying Triton's `config` or `file:` parameters (tritonclient's load_model(config=..., files=...)) is refused.
 */
import {fileURLToPath} from 'node:url'
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, MUSHROOM_DIR, makeRepo, readTestSet} from './helpers/fixtures.js'
import {call, failure, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url))
const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const LABELS = ['edible', 'poisonous']

/** The first `rows` rows of a test set as one input named `input`. */
function rowsOf(set: ReturnType<typeof readTestSet>, rows: number): {shape: number[]; data: number[]} {
  const width = set.request.inputs[0].shape[1]
  return {shape: [rows, width], data: set.request.inputs[0].data.slice(0, rows * width).map((v) => v ?? Number.NaN)}
}

/** What the extension must answer for `scores` (rows x classes, row-major): computed independently of the server. */
function expectedTopK(scores: number[], classes: number, k: number, labels?: string[]): string[] {
  const out: string[] = []
  for (let row = 0; row * classes < scores.length; row++) {
    const values = scores.slice(row * classes, (row + 1) * classes)
    const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b)
    for (const index of order.slice(0, Math.min(k, classes))) {
      // toFixed(6) is printf's %f except on exact ties (x * 128 odd), which these scores do not hit.
      expect(Number.isInteger(values[index] * 128) && (values[index] * 128) % 2 === 1).toBe(false)
      out.push(`${values[index].toFixed(6)}:${index}${labels?.[index] === undefined ? '' : `:${labels[index]}`}`)
    }
  }
  return out
}

/** tritonclient.http's binary request: the JSON header, then each input's little-endian bytes; Inference-Header-Content-Length. */
function binaryRequest(header: object, ...tensors: Float32Array[]): {body: Uint8Array; headers: Record<string, string>} {
  const json = Buffer.from(JSON.stringify(header))
  const body = Buffer.concat([json, ...tensors.map((t) => Buffer.from(t.buffer, t.byteOffset, t.byteLength))])
  return {body, headers: {'Inference-Header-Content-Length': String(json.length)}}
}

/** tritonclient's deserialize_bytes_tensor: 4-byte little-endian length, then the bytes, per element. */
function bytesElements(raw: Buffer): string[] {
  const out: string[] = []
  for (let at = 0; at < raw.length; ) {
    const length = raw.readUInt32LE(at)
    out.push(raw.subarray(at + 4, at + 4 + length).toString())
    at += 4 + length
  }
  return out
}

function tritonRepositoryClient(address: string): grpc.Client & Record<string, any> {
  const definition = protoLoader.loadSync(`${FIXTURES}/triton-repository-client.proto`, {keepCase: true, longs: String, defaults: true, oneofs: true})
  const Ctor = (grpc.loadPackageDefinition(definition) as any).inference.GRPCInferenceService as grpc.ServiceClientConstructor
  return new Ctor(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>
}

let mls: MlsProcess
let repo: ReturnType<typeof makeRepo>
let grpcClient: ReturnType<typeof inferenceClient>
let repositoryClient: ReturnType<typeof tritonRepositoryClient>

beforeAll(async () => {
  repo = makeRepo({
    'mnist/model-settings.json': JSON.stringify({name: 'mnist', implementation: 'onnx'}),
    'mnist/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    'mushroom/model-settings.json': JSON.stringify({name: 'mushroom', implementation: 'xgboost', parameters: {uri: './model.json', labels: LABELS}}),
    'mushroom/model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')},
    'mushroom_file/model-settings.json': JSON.stringify({name: 'mushroom_file', implementation: 'xgboost', parameters: {uri: './model.json', labels: 'labels.txt'}}),
    'mushroom_file/model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')},
    'mushroom_file/labels.txt': `${LABELS.join('\n')}\n`,
    'identity_fp32/model-settings.json': '{"implementation": "onnx"}',
    'identity_fp32/model.onnx': {copy: path.join(FIXTURES, 'models/identity_fp32/model.onnx')},
    'identity_int32/model-settings.json': '{"implementation": "onnx"}',
    'identity_int32/model.onnx': {copy: path.join(FIXTURES, 'models/identity_int32/model.onnx')},
    'identity_bytes/model-settings.json': '{"implementation": "onnx"}',
    'identity_bytes/model.onnx': {copy: path.join(FIXTURES, 'models/identity_bytes/model.onnx')},
  })
  mls = await startMls(repo.dir)
  grpcClient = inferenceClient(mls.grpcAddress)
  repositoryClient = tritonRepositoryClient(mls.grpcAddress)
}, 60_000)

afterAll(async () => {
  grpcClient?.close()
  repositoryClient?.close()
  await mls?.stop()
  repo?.cleanup()
})

describe('classification over REST', () => {
  it('JSON: the top k of each row of a [batch, classes] output, as the raw scores of the same request rank them', async () => {
    const input = {name: 'input', datatype: 'FP32', ...rowsOf(mnist, 3)}
    const raw = await postJson(`${mls.url}/v2/models/mnist/infer`, {inputs: [input], outputs: [{name: 'scores', parameters: {binary_data: false}}]})
    expect(raw.status).toBe(200)
    const [classes] = raw.body.outputs[0].shape.slice(1)
    expect(classes).toBe(45)

    const classified = await postJson(`${mls.url}/v2/models/mnist/infer`, {
      inputs: [input],
      outputs: [{name: 'scores', parameters: {classification: 3, binary_data: false}}, {name: 'label', parameters: {binary_data: false}}],
    })
    expect(classified.status).toBe(200)
    const [scores, label] = classified.body.outputs
    expect(scores).toMatchObject({name: 'scores', datatype: 'BYTES', shape: [3, 3]})
    expect(scores.data).toEqual(expectedTopK(raw.body.outputs[0].data, classes, 3))
    // An output asked for without the parameter is the model's own.
    expect(label).toMatchObject({name: 'label', datatype: 'INT64', shape: [3]})
    expect((await request(`${mls.url}/v2`)).body.extensions).toContain('classification')
  })

  it('binary (tritonclient\'s default): the strings as BYTES in the binary extension, with labels from model-settings', async () => {
    const {shape, data} = rowsOf(mushroom, 4)
    const values = Float32Array.from(data)
    const raw = await postJson(`${mls.url}/v2/models/mushroom/infer`, {inputs: [{name: 'input', datatype: 'FP32', shape, data}], outputs: [{name: 'predict_proba'}]})
    const framed = binaryRequest(
      {
        inputs: [{name: 'input', shape, datatype: 'FP32', parameters: {binary_data_size: values.byteLength}}],
        outputs: [{name: 'predict_proba', parameters: {classification: 2, binary_data: true}}],
      },
      values,
    )
    const response = await fetch(`${mls.url}/v2/models/mushroom/infer`, {method: 'POST', body: framed.body, headers: framed.headers})
    expect(response.status).toBe(200)
    const bytes = Buffer.from(await response.arrayBuffer())
    const headerLength = Number(response.headers.get('inference-header-content-length'))
    const header = JSON.parse(bytes.subarray(0, headerLength).toString())
    const output = header.outputs[0]
    expect(output).toMatchObject({name: 'predict_proba', datatype: 'BYTES', shape: [4, 2]})
    expect(output.data).toBeUndefined()
    const rest = bytes.subarray(headerLength)
    expect(output.parameters.binary_data_size).toBe(rest.length)
    expect(bytesElements(rest)).toEqual(expectedTopK(raw.body.outputs[0].data, 2, 2, LABELS))
  })

  it('labels from a file in the model folder; k larger than the classes gives them all ([batch, classes])', async () => {
    const input = {name: 'input', datatype: 'FP32', ...rowsOf(mushroom, 2)}
    const raw = await postJson(`${mls.url}/v2/models/mushroom_file/infer`, {inputs: [input], outputs: [{name: 'predict_proba'}]})
    const classified = await postJson(`${mls.url}/v2/models/mushroom_file/infer`, {inputs: [input], outputs: [{name: 'predict_proba', parameters: {classification: 5}}]})
    expect(classified.status).toBe(200)
    expect(classified.body.outputs[0]).toMatchObject({datatype: 'BYTES', shape: [2, 2], data: expectedTopK(raw.body.outputs[0].data, 2, 5, LABELS)})
  })

  it('a [classes] output gives [k]: Triton\'s documented example, floats and integers', async () => {
    const fp = await postJson(`${mls.url}/v2/models/identity_fp32/infer`, {
      inputs: [{name: 'x', datatype: 'FP32', shape: [4], data: [1.1, 3.3, 0.5, 2.4]}],
      outputs: [{name: 'y', parameters: {classification: 2}}],
    })
    expect(fp.body.outputs[0]).toMatchObject({datatype: 'BYTES', shape: [2], data: ['3.300000:1', '2.400000:3']})
    const int = await postJson(`${mls.url}/v2/models/identity_int32/infer`, {
      inputs: [{name: 'x', datatype: 'INT32', shape: [4], data: [1, 5, 10, 4]}],
      outputs: [{name: 'y', parameters: {classification: 2}}],
    })
    expect(int.body.outputs[0]).toMatchObject({datatype: 'BYTES', shape: [2], data: ['10:2', '5:1']})
  })

  it('400 saying why: UNSUPPORTED_PARAMETER for an output that is not scores, INVALID_REQUEST for a malformed k', async () => {
    const bytes = await postJson(`${mls.url}/v2/models/identity_bytes/infer`, {
      inputs: [{name: 'x', datatype: 'BYTES', shape: [2], data: ['a', 'b']}],
      outputs: [{name: 'y', parameters: {classification: 1}}],
    })
    expect(bytes.status).toBe(400)
    expect(bytes.body).toEqual({code: 'UNSUPPORTED_PARAMETER', error: 'output "y": parameters.classification cannot be applied: it is BYTES, not numeric scores'})
    for (const k of [0, -2, 2.5, '3', true]) {
      const bad = await postJson(`${mls.url}/v2/models/identity_fp32/infer`, {
        inputs: [{name: 'x', datatype: 'FP32', shape: [2], data: [1, 2]}],
        outputs: [{name: 'y', parameters: {classification: k}}],
      })
      expect(bad.status, String(k)).toBe(400)
      expect(bad.body.code, String(k)).toBe('INVALID_REQUEST')
      expect(bad.body.error).toContain('parameters.classification: expected a whole number of classes of at least 1')
    }
  })
})

describe('classification over gRPC', () => {
  it('typed contents: bytes_contents with the same strings as the raw scores rank', async () => {
    const {shape, data} = rowsOf(mnist, 2)
    const input = {name: 'input', datatype: 'FP32', shape, contents: {fp32s: data}}
    const raw = await call(grpcClient, 'ModelInfer', {model_name: 'mnist', inputs: [input], outputs: [{name: 'scores'}]})
    const classified = await call(grpcClient, 'ModelInfer', {model_name: 'mnist', inputs: [input], outputs: [{name: 'scores', parameters: {classification: {i: 4}}}]})
    const output = classified.outputs[0]
    expect(output).toMatchObject({name: 'scores', datatype: 'BYTES', shape: ['2', '4']})
    expect(output.contents.bytes.map((b: Buffer) => b.toString())).toEqual(expectedTopK(raw.outputs[0].contents.fp32s, 45, 4))
  })

  it('raw_input_contents: the strings come back in raw_output_contents, with labels', async () => {
    const {shape, data} = rowsOf(mushroom, 3)
    const values = Float32Array.from(data)
    const raw = await call(grpcClient, 'ModelInfer', {
      model_name: 'mushroom',
      inputs: [{name: 'input', datatype: 'FP32', shape, contents: {fp32s: data}}],
      outputs: [{name: 'predict_proba'}],
    })
    const classified = await call(grpcClient, 'ModelInfer', {
      model_name: 'mushroom',
      inputs: [{name: 'input', datatype: 'FP32', shape}],
      raw_input_contents: [Buffer.from(values.buffer)],
      outputs: [{name: 'predict_proba', parameters: {classification: {i: 1}}}],
    })
    expect(classified.outputs[0]).toMatchObject({datatype: 'BYTES', shape: ['3', '1']})
    expect(bytesElements(classified.raw_output_contents[0])).toEqual(expectedTopK(raw.outputs[0].contents.fp32s, 2, 1, LABELS))
  })

  it('INVALID_ARGUMENT: UNSUPPORTED_PARAMETER for BYTES, INVALID_REQUEST for a k that is not an int64', async () => {
    const notScores = await failure(grpcClient, 'ModelInfer', {
      model_name: 'identity_bytes',
      inputs: [{name: 'x', datatype: 'BYTES', shape: [1], contents: {bytes: [Buffer.from('a')]}}],
      outputs: [{name: 'y', parameters: {classification: {i: 1}}}],
    })
    expect(notScores).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'UNSUPPORTED_PARAMETER'})
    expect(notScores.details).toContain('it is BYTES, not numeric scores')
    const asString = await failure(grpcClient, 'ModelInfer', {
      model_name: 'identity_fp32',
      inputs: [{name: 'x', datatype: 'FP32', shape: [2], contents: {fp32s: [1, 2]}}],
      outputs: [{name: 'y', parameters: {classification: {s: '2'}}}],
    })
    expect(asString).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_REQUEST'})
  })
})

describe('a repository load with Triton\'s config or files', () => {
  it('REST: 400 UNSUPPORTED_PARAMETER naming the parameter; a plain load (tritonclient\'s {}) still loads', async () => {
    const load = (body: unknown) => postJson(`${mls.url}/v2/repository/models/identity_fp32/load`, body)
    const config = await load({parameters: {config: JSON.stringify({backend: 'onnxruntime'})}})
    expect(config.status).toBe(400)
    expect(config.body.code).toBe('UNSUPPORTED_PARAMETER')
    expect(config.body.error).toContain('parameter "config" is not supported')
    const files = await load({parameters: {config: '{}', 'file:1/model.onnx': Buffer.from('onnx').toString('base64')}})
    expect(files.status).toBe(400)
    expect(files.body.code).toBe('UNSUPPORTED_PARAMETER')
    const fileOnly = await load({parameters: {'file:1/model.onnx': 'AAAA'}})
    expect(fileOnly.body.error).toContain('parameter "file:1/model.onnx" is not supported')
    expect((await load({})).status).toBe(200)
    expect((await load({parameters: {unrelated: true}})).status).toBe(200)
  })

  it('gRPC RepositoryModelLoad: INVALID_ARGUMENT UNSUPPORTED_PARAMETER for config and file: parameters; none still loads', async () => {
    const load = (parameters: Record<string, unknown>) => failure(repositoryClient as any, 'RepositoryModelLoad', {model_name: 'identity_fp32', parameters})
    const config = await load({config: {s: '{"backend": "onnxruntime"}'}})
    expect(config).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'UNSUPPORTED_PARAMETER'})
    expect(config.details).toContain('parameter "config" is not supported')
    const files = await load({'file:1/model.onnx': {raw: Buffer.from('onnx')}})
    expect(files).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'UNSUPPORTED_PARAMETER'})
    await expect(call(repositoryClient as any, 'RepositoryModelLoad', {model_name: 'identity_fp32'})).resolves.toEqual({})
  })
})
