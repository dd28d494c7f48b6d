/**
 * gRPC over a real channel to an in-process grpc-js server (the example's models, real runtimes), with clients generated
 * from test/fixtures/oip-client.proto (written from the published numbering, not from proto/): every unary rpc, typed
 * and raw contents on the full test sets, the repository services, health, reflection, and the gRPC twin of each bad
 * input. Streaming stays end to end (test/e2e/grpc.test.ts).
 */
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet} from '../e2e/helpers/fixtures.js'
import {call, failure, inferenceClient, rawRequest, repositoryClient, rowOf, typed} from '../e2e/helpers/grpc-client.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const mushroomMissing = readTestSet(path.join(MUSHROOM_DIR, 'test-set-missing.json'))

let server: InProcessServer
let client: ReturnType<typeof inferenceClient>

beforeAll(async () => {
  server = await startInProcess(EXAMPLE)
  client = inferenceClient(server.grpcAddress)
})
afterAll(async () => {
  client?.close()
  await server?.close()
})

describe('gRPC GRPCInferenceService', () => {
  it('ServerLive, ServerReady, ServerMetadata', async () => {
    expect(await call(client, 'ServerLive', {})).toEqual({live: true})
    expect(await call(client, 'ServerReady', {})).toEqual({ready: true})
    const meta = await call(client, 'ServerMetadata', {})
    expect(meta.name).toBe('mls')
    expect(meta.extensions).toContain('model_repository')
  })

  it('ModelReady and ModelMetadata, with and without a version', async () => {
    expect(await call(client, 'ModelReady', {name: 'mnist_sklearn', version: 'v1.0.0'})).toEqual({ready: true})
    expect(await call(client, 'ModelReady', {name: 'mushroom_xgboost'})).toEqual({ready: true})
    const meta = await call(client, 'ModelMetadata', {name: 'mnist_sklearn'})
    expect(meta).toMatchObject({name: 'mnist_sklearn', versions: ['v1.0.0'], platform: 'sklearn'})
    expect(meta.inputs).toEqual([{name: 'input', datatype: 'FP32', shape: ['-1', '64'], parameters: {}}])
    expect(meta.outputs[0]).toMatchObject({name: 'predict', datatype: 'INT64', shape: ['-1', '1']})
  })

  it('ModelInfer with typed contents gives sklearn\'s labels on all 899 mnist rows, echoing the id', async () => {
    const res = await call(client, 'ModelInfer', typed('mnist_sklearn', mnist, {model_version: 'v1.0.0', id: 'grpc-1'}))
    expect(res).toMatchObject({model_name: 'mnist_sklearn', model_version: 'v1.0.0', id: 'grpc-1', raw_output_contents: []})
    expect(res.outputs[0]).toMatchObject({name: 'predict', datatype: 'INT64', shape: ['899', '1']})
    expect(res.outputs[0].contents.int64s.map(Number)).toEqual(mnist.expected.predict)
  })

  it('ModelInfer with typed contents gives xgboost\'s probabilities within 1e-6, missing values as NaN', async () => {
    for (const set of [mushroom, mushroomMissing]) {
      const res = await call(client, 'ModelInfer', typed('mushroom_xgboost', set))
      const p: number[] = res.outputs[0].contents.fp32s
      expect(p).toHaveLength(set.expected.predict.length)
      expect(Math.max(...p.map((v, i) => Math.abs(v - set.expected.predict[i])))).toBeLessThanOrEqual(1e-6)
    }
  })

  it('ModelInfer with raw_input_contents answers with raw_output_contents, same predictions', async () => {
    const res = await call(client, 'ModelInfer', rawRequest('mnist_sklearn', mnist))
    expect(res.outputs[0].contents).toBeNull()
    const bytes: Buffer = res.raw_output_contents[0]
    const labels = new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
    expect(Array.from(labels, Number)).toEqual(mnist.expected.predict)

    for (const set of [mushroom, mushroomMissing]) {
      const xgb = await call(client, 'ModelInfer', rawRequest('mushroom_xgboost', set))
      const raw: Buffer = xgb.raw_output_contents[0]
      const p = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
      expect(p).toHaveLength(set.expected.predict.length)
      expect(Math.max(...Array.from(p, (v, i) => Math.abs(v - set.expected.predict[i])))).toBeLessThanOrEqual(1e-6)
    }
  })

  it('gives the same answer as REST for the same request', async () => {
    const rest = await server.postJson('/v2/models/mnist_sklearn/infer', {...rowOf(mnist, 5), outputs: [{name: 'scores'}]})
    const viaGrpc = await call(client, 'ModelInfer', {...typed('mnist_sklearn', {...mnist, request: rowOf(mnist, 5) as never}), outputs: [{name: 'scores'}]})
    expect(viaGrpc.outputs[0].contents.fp32s).toEqual(rest.body.outputs[0].data)
  })

  it('honours requested outputs (predict_proba)', async () => {
    const res = await call(client, 'ModelInfer', {...typed('mushroom_xgboost', {...mushroom, request: rowOf(mushroom, 0) as never}), outputs: [{name: 'predict_proba'}]})
    expect(res.outputs.map((o: {name: string}) => o.name)).toEqual(['predict_proba'])
    expect(res.outputs[0].shape).toEqual(['1', '2'])
  })
})

describe('gRPC repository', () => {
  const restIndex = async () => (await server.postJson('/v2/repository/index', {})).body as Array<{name: string; state: string; reason: string}>

  it('unload and load through GRPCInferenceService show in the REST index', async () => {
    await call(client, 'RepositoryModelUnload', {model_name: 'mushroom_xgboost'})
    expect((await restIndex()).find((m) => m.name === 'mushroom_xgboost')).toMatchObject({state: 'UNAVAILABLE', reason: 'unloaded'})
    const index = await call(client, 'RepositoryIndex', {})
    expect(index.models).toContainEqual({name: 'mushroom_xgboost', version: 'v2.0.0', state: 'UNAVAILABLE', reason: 'unloaded'})
    expect((await call(client, 'RepositoryIndex', {ready: true})).models.map((m: {name: string}) => m.name)).toEqual(['mnist_sklearn'])
    expect(await failure(client, 'ModelInfer', typed('mushroom_xgboost', mushroom))).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_UNAVAILABLE'})
    await call(client, 'RepositoryModelLoad', {model_name: 'mushroom_xgboost'})
    expect((await restIndex()).every((m) => m.state === 'READY')).toBe(true)
  })

  it('inference.model_repository.ModelRepositoryService does the same', async () => {
    const repo = repositoryClient(server.grpcAddress)
    try {
      await call(repo, 'RepositoryModelUnload', {model_name: 'mushroom_xgboost'})
      expect((await restIndex()).find((m) => m.name === 'mushroom_xgboost')?.state).toBe('UNAVAILABLE')
      expect((await call(repo, 'RepositoryIndex', {})).models).toHaveLength(2)
      await call(repo, 'RepositoryModelLoad', {model_name: 'mushroom_xgboost'})
      expect((await restIndex()).find((m) => m.name === 'mushroom_xgboost')?.state).toBe('READY')
      expect(await failure(repo, 'RepositoryModelUnload', {model_name: 'nope'})).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_NOT_FOUND'})
    } finally {
      repo.close()
    }
  })
})

describe('gRPC health and reflection', () => {
  it('grpc.health.v1 reports SERVING', async () => {
    const definition = protoLoader.loadSync(fileURLToPath(new URL('../../proto/health.proto', import.meta.url)), {keepCase: true, enums: String})
    const Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health
    const health = new Health(server.grpcAddress, grpc.credentials.createInsecure())
    try {
      expect(await call(health, 'Check', {service: ''})).toEqual({status: 'SERVING'})
      expect(await call(health, 'Check', {service: 'inference.GRPCInferenceService'})).toEqual({status: 'SERVING'})
      expect((await failure(health, 'Check', {service: 'nope'})).code).toBe('NOT_FOUND')
    } finally {
      health.close()
    }
  })

  it('server reflection lists the services', async () => {
    const file = fileURLToPath(new URL('../../node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto', import.meta.url))
    const definition = protoLoader.loadSync(file, {keepCase: true})
    const Reflection = (grpc.loadPackageDefinition(definition) as any).grpc.reflection.v1alpha.ServerReflection
    const reflection = new Reflection(server.grpcAddress, grpc.credentials.createInsecure())
    try {
      const stream = reflection.ServerReflectionInfo()
      const reply = await new Promise<any>((resolve, reject) => {
        stream.on('data', resolve)
        stream.on('error', reject)
        stream.write({list_services: ''})
      })
      stream.end()
      const names = reply.list_services_response.service.map((s: {name: string}) => s.name)
      expect(names).toEqual(expect.arrayContaining(['inference.GRPCInferenceService', 'inference.model_repository.ModelRepositoryService', 'grpc.health.v1.Health']))
    } finally {
      reflection.close()
    }
  })
})

describe('gRPC bad input: the twin of each REST case, mapped status and the same code', () => {
  const row = rowOf(mnist, 0).inputs[0]
  const good = {name: 'predict', datatype: 'FP32', shape: [1, 64], contents: {fp32s: row.data}}
  const infer = (input: Record<string, unknown> | null, extra: Record<string, unknown> = {}) => ({
    model_name: 'mnist_sklearn',
    model_version: 'v1.0.0',
    inputs: input === null ? [] : [input],
    ...extra,
  })

  const cases: Array<[string, unknown, string, string, RegExp]> = [
    ['inputs: []', infer(null), 'INVALID_ARGUMENT', 'INVALID_REQUEST', /inputs: .*>=1/],
    ['missing datatype', infer({...good, datatype: ''}), 'INVALID_ARGUMENT', 'INVALID_DATATYPE', /datatype: Invalid option/],
    ['unknown datatype FP99', infer({...good, datatype: 'FP99'}), 'INVALID_ARGUMENT', 'INVALID_DATATYPE', /found "FP99"/],
    ['missing data (no contents)', infer({...good, contents: undefined}), 'INVALID_ARGUMENT', 'INVALID_DATA', /needs 64 values, found 0/],
    ['missing shape', infer({...good, shape: []}), 'INVALID_ARGUMENT', 'INVALID_SHAPE', /shape \[\] does not match/],
    ['shape [1,32]', infer({...good, shape: [1, 32], contents: {fp32s: row.data.slice(0, 32)}}), 'INVALID_ARGUMENT', 'INVALID_SHAPE', /\[1,32\] does not match .*\[-1,64\]/],
    ['63 values', infer({...good, contents: {fp32s: row.data.slice(0, 63)}}), 'INVALID_ARGUMENT', 'INVALID_DATA', /needs 64 values, found 63/],
    ['65 values', infer({...good, contents: {fp32s: [...row.data, 1]}}), 'INVALID_ARGUMENT', 'INVALID_DATA', /found more than 64/],
    ['negative shape', infer({...good, shape: [-1, 64]}), 'INVALID_ARGUMENT', 'INVALID_SHAPE', /expected a non-negative integer \(found -1\)/],
    ['strings for FP32', infer({...good, contents: {bytes: row.data.map((v) => Buffer.from(String(v)))}}), 'INVALID_ARGUMENT', 'INVALID_DATA', /FP32 takes its data in fp32_contents, found bytes_contents/],
    ['BOOL for a numeric input', infer({...good, datatype: 'BOOL', contents: {bools: row.data.map(() => true)}}), 'INVALID_ARGUMENT', 'INVALID_DATATYPE', /BOOL cannot be used for a FP32 input/],
    ['raw bytes of the wrong length', {...infer({name: 'predict', datatype: 'FP32', shape: [1, 64]}), raw_input_contents: [Buffer.alloc(10)]}, 'INVALID_ARGUMENT', 'INVALID_DATA', /10 raw bytes cannot hold 64 FP32 values \(256 bytes expected\)/],
    ['raw and typed contents together', {...infer(good), raw_input_contents: [Buffer.alloc(256)]}, 'INVALID_ARGUMENT', 'INVALID_REQUEST', /cannot both be used/],
    ['unknown model', {...infer(good), model_name: 'nope'}, 'NOT_FOUND', 'MODEL_NOT_FOUND', /model "nope" not found/],
    ['unknown version', {...infer(good), model_version: 'v9'}, 'NOT_FOUND', 'MODEL_VERSION_NOT_FOUND', /no version "v9"/],
    ['a requested output that does not exist', infer(good, {outputs: [{name: 'predict_proba'}]}), 'INVALID_ARGUMENT', 'OUTPUT_NOT_FOUND', /no output "predict_proba"/],
  ]

  for (const [name, request, code, errorCode, says] of cases) {
    it(`${name}: ${code} ${errorCode}`, async () => {
      const result = await failure(client, 'ModelInfer', request)
      expect(result).toMatchObject({code, errorCode})
      expect(result.details).toMatch(says)
    })
  }

  it('an empty request (the twin of an empty body): INVALID_ARGUMENT naming what is missing', async () => {
    expect(await failure(client, 'ModelInfer', {})).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_REQUEST', details: 'no model name given'})
    expect(await failure(client, 'ModelInfer', {model_name: 'mnist_sklearn'})).toMatchObject({code: 'INVALID_ARGUMENT', details: expect.stringMatching(/inputs: .*>=1/)})
  })

  it('unload of an unknown model: NOT_FOUND', async () => {
    expect(await failure(client, 'RepositoryModelUnload', {model_name: 'nope'})).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_NOT_FOUND'})
    expect(await failure(client, 'ModelMetadata', {name: 'nope'})).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_NOT_FOUND'})
  })

  it('infer on an unloaded model: NOT_FOUND MODEL_UNAVAILABLE with the reason', async () => {
    await call(client, 'RepositoryModelUnload', {model_name: 'mnist_sklearn'})
    try {
      const result = await failure(client, 'ModelInfer', infer(good))
      expect(result).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_UNAVAILABLE'})
      expect(result.details).toMatch(/unloaded/)
    } finally {
      await call(client, 'RepositoryModelLoad', {model_name: 'mnist_sklearn'})
    }
  })

  it('malformed protobuf bytes: INVALID_ARGUMENT, not INTERNAL', async () => {
    const result = await new Promise<grpc.ServiceError>((resolve) =>
      client.makeUnaryRequest(
        '/inference.GRPCInferenceService/ModelInfer',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff, 0xff]),
        (error: grpc.ServiceError | null) => resolve(error!),
      ),
    )
    expect(grpc.status[result.code]).toBe('INVALID_ARGUMENT')
    expect(result.metadata.get('mls-error-code')).toEqual(['INVALID_REQUEST'])
  })

  it('stays up: both models answer afterwards', async () => {
    expect((await call(client, 'ModelInfer', infer(good))).outputs[0].contents.int64s.map(Number)).toEqual([mnist.expected.predict[0]])
    expect(await call(client, 'ServerReady', {})).toEqual({ready: true})
  })
})
