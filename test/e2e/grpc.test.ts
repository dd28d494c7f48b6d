/**
 * gRPC streaming over a real channel against the built CLI, with clients generated from test/fixtures/oip-client.proto
 * (written from the published numbering, not from proto/). Every unary rpc, the repository services, health, reflection
 * and the bad inputs are tested in-process (test/integration/grpc.test.ts).
 */
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet} from './helpers/fixtures.js'
import {inferenceClient, rawRequest, rowOf, typed} from './helpers/grpc-client.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const mushroomMissing = readTestSet(path.join(MUSHROOM_DIR, 'test-set-missing.json'))

let server: MlsProcess
let client: ReturnType<typeof inferenceClient>

beforeAll(async () => {
  server = await startMls(EXAMPLE)
  client = inferenceClient(server.grpcAddress)
})
afterAll(async () => {
  client?.close()
  expect(await server.stop()).toBe(0)
})

describe('gRPC GRPCInferenceService', () => {
  it('ModelStreamInfer answers in order, one response per request, and ends with the mapped status on an error', async () => {
    const stream = client.ModelStreamInfer()
    const responses: any[] = []
    const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
      stream.on('data', (r: unknown) => responses.push(r))
      stream.on('error', (e: grpc.ServiceError) => resolve(e))
      stream.on('end', () => resolve(undefined))
    })
    for (let i = 0; i < 5; i++) stream.write(typed('mnist_sklearn', {...mnist, request: rowOf(mnist, i) as never}, {id: `s${i}`}))
    stream.write({model_name: 'nope', inputs: []})
    stream.end()
    const error = await ended
    expect(responses.map((r) => r.id)).toEqual(['s0', 's1', 's2', 's3', 's4'])
    expect(responses.map((r) => Number(r.outputs[0].contents.int64s[0]))).toEqual(mnist.expected.predict.slice(0, 5))
    expect(error?.code).toBe(grpc.status.NOT_FOUND)
    expect(error?.metadata.get('mls-error-code')).toEqual(['MODEL_NOT_FOUND'])
  })

  it('a stream of good requests ends with OK, each answered with its own predictions (raw for raw, typed for typed)', async () => {
    const stream = client.ModelStreamInfer()
    const responses: any[] = []
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: unknown) => responses.push(r))
      stream.on('error', reject)
      stream.on('end', resolve)
    })
    stream.write({...rawRequest('mushroom_xgboost', mushroom), id: 'raw'})
    stream.write(typed('mushroom_xgboost', mushroomMissing, {id: 'typed'}))
    stream.end()
    await ended
    expect(responses.map((r) => [r.model_name, r.id])).toEqual([['mushroom_xgboost', 'raw'], ['mushroom_xgboost', 'typed']])
    const [raw, typedAnswer] = responses
    const rawBytes: Buffer = raw.raw_output_contents[0]
    const answers = [
      {set: mushroom, p: Array.from(new Float32Array(rawBytes.buffer.slice(rawBytes.byteOffset, rawBytes.byteOffset + rawBytes.byteLength)))},
      {set: mushroomMissing, p: typedAnswer.outputs[0].contents.fp32s as number[]},
    ]
    for (const {set, p} of answers) {
      expect(p).toHaveLength(set.expected.predict.length)
      expect(Math.max(...p.map((v, i) => Math.abs(v - set.expected.predict[i])))).toBeLessThanOrEqual(1e-6)
    }
  })
})
