/**
 * grpc_stream_format over a real gRPC channel against the built CLI, with a client that builds requests and reads the
 * stream as tritonclient's start_stream / async_stream_infer / stop_stream do (helpers/triton-stream.ts): "triton"
 * wraps every answer in ModelStreamInferResponse and sends the error of one request in-stream while the stream goes
 * on; cancel and half-close end it as they should; the default ("mlserver") is unchanged.
 */
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {inferenceClient} from './helpers/grpc-client.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'
import {PROBE_RUNTIME, SLEEP_RUNTIME, untilSleeping} from './helpers/sleep-runtime.js'
import {TritonStream, fp32Input, fp64Input, tritonInferenceClient, type Callback, type InferResponse} from './helpers/triton-stream.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const WIDTH = mnist.request.inputs[0].shape[1]

/** Doubles x; fails (the runtime throws) for a negative x. */
const DOUBLER_RUNTIME = `
import type {InferRequest} from 'mls-server'
export default {
  async predict(request: InferRequest) {
    const x = (request.inputs[0].data as Float64Array)[0]
    if (x < 0) throw new Error('x must not be negative')
    return {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([2 * x])}]}
  },
}
`

/** predictStream: for each request [[x]], yields x then 2x. */
const STREAMING_RUNTIME = `
import type {InferRequest} from 'mls-server'
export default {
  async predict() {
    return {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([-1])}]}
  },
  async *predictStream(requests: AsyncIterable<InferRequest>) {
    for await (const request of requests) {
      const x = (request.inputs[0].data as Float64Array)[0]
      yield {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([x])}]}
      yield {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([2 * x])}]}
    }
  },
}
`

const REPO = {
  'models/mnist/model-settings.json': JSON.stringify({name: 'mnist', implementation: 'sklearn'}),
  'models/mnist/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
  'models/doubler/model-settings.json': JSON.stringify({name: 'doubler', implementation: './runtime.ts', inputs: [{name: 'x', datatype: 'FP64', shape: [-1, 1]}]}),
  'models/doubler/runtime.ts': DOUBLER_RUNTIME,
  'models/streamer/model-settings.json': JSON.stringify({name: 'streamer', implementation: './runtime.ts', inputs: [{name: 'x', datatype: 'FP64', shape: [-1, 1]}]}),
  'models/streamer/runtime.ts': STREAMING_RUNTIME,
  'models/slow/model-settings.json': JSON.stringify({name: 'slow', implementation: './runtime.ts'}),
  'models/slow/runtime.ts': SLEEP_RUNTIME,
  'models/probe/model-settings.json': JSON.stringify({name: 'probe', implementation: './runtime.ts', parameters: {extra: {watch: 'slow'}}}),
  'models/probe/runtime.ts': PROBE_RUNTIME,
}

/** Row `row` of the MNIST test set as tritonclient's InferInput.set_data_from_numpy sends it. */
const mnistRow = (row: number) => fp32Input('predict', [1, WIDTH], rowRequest(mnist, row).inputs[0].data.map((v) => v ?? NaN))
/** The class an MNIST answer predicts (INT64 in raw_output_contents, as the request was raw). */
const predicted = (response: InferResponse) => Number(response.raw_output_contents[0].readBigInt64LE(0))
const resultOf = (callback: Callback) => {
  if (callback.result === undefined) throw new Error(`an error came back: ${callback.error.message}`)
  return callback.result
}

describe('grpc_stream_format "triton": tritonclient\'s stream', () => {
  const repo = makeRepo(REPO)
  let server: MlsProcess
  let client: ReturnType<typeof tritonInferenceClient>

  beforeAll(async () => {
    server = await startMls(repo.dir, {args: ['--grpc-stream-format', 'triton']})
    client = tritonInferenceClient(server.grpcAddress)
  })
  afterAll(async () => {
    client?.close()
    await server?.stop()
    repo.cleanup()
  })

  it('wraps each answer in ModelStreamInferResponse, in order, with the request id and triton_final_response true', async () => {
    const stream = new TritonStream(client)
    for (const row of [0, 1, 2]) stream.asyncStreamInfer('mnist', [mnistRow(row)], {requestId: `r${row}`})
    expect(await stream.stopStream()).toBe(grpc.status.OK)
    expect(stream.callbacks.map((c) => c.error)).toEqual([undefined, undefined, undefined])
    const results = stream.callbacks.map(resultOf)
    expect(results.map((r) => [r.id, r.model_name, predicted(r)])).toEqual([0, 1, 2].map((row) => [`r${row}`, 'mnist', mnist.expected.predict[row]]))
    expect(results.every((r) => r.parameters.triton_final_response?.bool_param === true)).toBe(true)
    expect(stream.messages.every((m) => m.error_message === '')).toBe(true)
  })

  it('a bad request in the middle: its error comes in-stream as error_message, with its id; the next request is still answered', async () => {
    const stream = new TritonStream(client)
    stream.asyncStreamInfer('mnist', [mnistRow(0)], {requestId: 'good-1'})
    // 63 values for a [1, 64] tensor: the data does not match the shape.
    stream.asyncStreamInfer('mnist', [fp32Input('predict', [1, WIDTH], new Float32Array(WIDTH - 1))], {requestId: 'bad'})
    stream.asyncStreamInfer('no-such-model', [mnistRow(0)], {requestId: 'unknown'})
    stream.asyncStreamInfer('mnist', [mnistRow(1)], {requestId: 'good-2'})
    expect(await stream.stopStream()).toBe(grpc.status.OK)
    expect(stream.callbacks).toHaveLength(4)
    expect(predicted(resultOf(stream.callbacks[0]))).toBe(mnist.expected.predict[0])
    expect(stream.callbacks[1].error?.message).toMatch(/predict.*(bytes|values|elements)/i)
    expect(stream.callbacks[1].error?.status).toBeUndefined()
    expect(stream.callbacks[2].error?.message).toMatch(/no-such-model/)
    const last = resultOf(stream.callbacks[3])
    expect([last.id, predicted(last)]).toEqual(['good-2', mnist.expected.predict[1]])
    // As Triton: an error found before the model runs carries the request's id alone.
    expect(stream.messages[1].infer_response).toMatchObject({id: 'bad', model_name: '', outputs: [], parameters: {}})
    expect(stream.messages[2].infer_response).toMatchObject({id: 'unknown', model_name: ''})
  })

  it('a request the model fails on: in-stream, with the request\'s id and model and triton_final_response, as Triton', async () => {
    const stream = new TritonStream(client)
    stream.asyncStreamInfer('doubler', [fp64Input('x', [1, 1], [-1])], {requestId: 'neg'})
    stream.asyncStreamInfer('doubler', [fp64Input('x', [1, 1], [3])], {requestId: 'pos'})
    expect(await stream.stopStream()).toBe(grpc.status.OK)
    expect(stream.callbacks[0].error?.message).toBe('model "doubler" could not run this request: x must not be negative')
    expect(stream.messages[0].infer_response).toMatchObject({id: 'neg', model_name: 'doubler', outputs: [], parameters: {triton_final_response: {bool_param: true}}})
    const second = resultOf(stream.callbacks[1])
    expect([second.id, second.raw_output_contents[0].readDoubleLE(0)]).toEqual(['pos', 6])
  })

  it('enable_empty_final_response, as async_stream_infer sends it: the one answer of a model that does not stream is final', async () => {
    const stream = new TritonStream(client)
    stream.asyncStreamInfer('doubler', [fp64Input('x', [1, 1], [2])], {requestId: 'e', enableEmptyFinalResponse: true})
    expect(await stream.stopStream()).toBe(grpc.status.OK)
    expect(stream.callbacks).toHaveLength(1)
    expect(resultOf(stream.callbacks[0]).parameters.triton_final_response?.bool_param).toBe(true)
  })

  it('half-close ends the stream after the answers still due', async () => {
    const stream = new TritonStream(client)
    stream.asyncStreamInfer('slow', [fp64Input('ms', [1, 1], [300])], {requestId: 'a'})
    stream.asyncStreamInfer('slow', [fp64Input('ms', [1, 1], [10])], {requestId: 'b'})
    stream.asyncStreamInfer('doubler', [fp64Input('x', [1, 1], [-1])], {requestId: 'c'})
    expect(await stream.stopStream()).toBe(grpc.status.OK)
    expect(stream.messages.map((m) => [m.infer_response?.id, m.error_message === ''])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ])
  })

  it('cancel ends the stream and the request in flight; the server serves the next stream', async () => {
    const stream = new TritonStream(client)
    stream.asyncStreamInfer('slow', [fp64Input('ms', [1, 1], [60_000])], {requestId: 'long'})
    await untilSleeping(server.url, 'probe', 1)
    expect(await stream.stopStream(true)).toBe(grpc.status.CANCELLED)
    // The request of 60 s stops running: the cancel reached it.
    await untilSleeping(server.url, 'probe', 0)
    expect(stream.messages).toEqual([])
    const next = new TritonStream(client)
    next.asyncStreamInfer('mnist', [mnistRow(3)])
    expect(await next.stopStream()).toBe(grpc.status.OK)
    expect(predicted(resultOf(next.callbacks[0]))).toBe(mnist.expected.predict[3])
  })

  it('a model whose runtime streams: every result wrapped, without triton_final_response (a result does not say it is the last)', async () => {
    const stream = new TritonStream(client)
    stream.asyncStreamInfer('streamer', [fp64Input('x', [1, 1], [1.5])], {requestId: 's'})
    expect(await stream.stopStream()).toBe(grpc.status.OK)
    const results = stream.callbacks.map(resultOf)
    expect(results.map((r) => [r.id, r.raw_output_contents[0].readDoubleLE(0)])).toEqual([
      ['s', 1.5],
      ['s', 3],
    ])
    expect(results.every((r) => r.parameters.triton_final_response === undefined)).toBe(true)
  })
})

describe('grpc_stream_format default ("mlserver"): unchanged', () => {
  const repo = makeRepo(REPO)
  let server: MlsProcess
  let client: ReturnType<typeof inferenceClient>

  beforeAll(async () => {
    server = await startMls(repo.dir)
    client = inferenceClient(server.grpcAddress)
  })
  afterAll(async () => {
    client?.close()
    await server?.stop()
    repo.cleanup()
  })

  it('plain ModelInferResponse messages; a bad request ends the stream with its status, after the answers before it', async () => {
    const call = client.ModelStreamInfer()
    const responses: Array<{id: string; model_name: string; raw_output_contents: Buffer[]}> = []
    const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
      call.on('data', (r: (typeof responses)[number]) => responses.push(r))
      call.on('error', (e: grpc.ServiceError) => resolve(e))
      call.on('end', () => resolve(undefined))
    })
    const raw = (row: number | 'bad', id: string) => {
      const input = row === 'bad' ? fp32Input('predict', [1, WIDTH], new Float32Array(WIDTH - 1)) : mnistRow(row)
      return {model_name: 'mnist', id, inputs: [{name: 'predict', datatype: 'FP32', shape: input.shape}], raw_input_contents: [input.raw]}
    }
    call.write(raw(0, 'a'))
    call.write(raw('bad', 'b'))
    call.write(raw(1, 'c'))
    call.end()
    const error = await ended
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(error?.metadata.get('mls-error-code')).toEqual(['INVALID_DATA'])
    expect(responses.map((r) => [r.id, r.model_name, Number(r.raw_output_contents[0].readBigInt64LE(0))])).toEqual([['a', 'mnist', mnist.expected.predict[0]]])
  })

  it('the same stream read with Triton\'s declaration does not parse as ModelStreamInferResponse answers', async () => {
    // The messages differ on the wire: a Triton-shaped reader finds no infer_response with outputs in them.
    const stream = new TritonStream(tritonInferenceClient(server.grpcAddress))
    stream.asyncStreamInfer('mnist', [mnistRow(0)], {requestId: 'x'})
    await stream.stopStream()
    expect(stream.messages.some((m) => (m.infer_response?.outputs.length ?? 0) > 0)).toBe(false)
  })
})
