/**
 * ModelStreamInfer through a custom runtime's predictStream, over a real gRPC channel against the built CLI: the
 * runtime reads the requests as they arrive and yields any number of results per request; bad messages and requests
 * for another model end the stream with the mapped status; other models on the same rpc still get one answer each.
 */
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

/** For each request [[x]]: yields x, then 2x (two answers per request), then, once the requests end, the count. */
const STREAMING_RUNTIME = `
import type {InferRequest} from 'mls-server'

export default {
  async predict(request: InferRequest) {
    return {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([-1])}]}
  },
  async *predictStream(requests: AsyncIterable<InferRequest>) {
    let n = 0
    for await (const request of requests) {
      const x = (request.inputs[0].data as Float64Array)[0]
      n++
      yield {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([x])}]}
      yield {outputs: [{name: 'y', datatype: 'FP64', shape: [1, 1], data: new Float64Array([2 * x])}]}
    }
    yield {outputs: [{name: 'count', datatype: 'FP64', shape: [1, 1], data: new Float64Array([n])}]}
  },
}
`

const message = (x: number, extra: Record<string, unknown> = {}) => ({model_name: 'streamer', inputs: [{name: 'x', datatype: 'FP64', shape: [1, 1], contents: {fp64s: [x]}}], ...extra})

interface Response {
  id: string
  model_name: string
  outputs: Array<{name: string; contents?: {fp64s?: number[]; int64s?: string[]}}>
  raw_output_contents: Buffer[]
}

/** Writes `messages` on one ModelStreamInfer call and collects the responses and how it ended. */
async function stream(client: ReturnType<typeof inferenceClient>, messages: unknown[], options: {end?: boolean} = {}) {
  const call = client.ModelStreamInfer()
  const responses: Response[] = []
  const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
    call.on('data', (r: Response) => responses.push(r))
    call.on('error', (e: grpc.ServiceError) => resolve(e))
    call.on('end', () => resolve(undefined))
  })
  for (const m of messages) call.write(m)
  if (options.end !== false) call.end()
  return {call, responses, ended}
}

describe('ModelStreamInfer through predictStream', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  let client: ReturnType<typeof inferenceClient>

  beforeAll(async () => {
    repo = makeRepo({
      'models/streamer/model-settings.json': JSON.stringify({name: 'streamer', implementation: './runtime.ts', max_queue_size: 1, inputs: [{name: 'x', datatype: 'FP64', shape: [-1, 1]}]}),
      'models/streamer/runtime.ts': STREAMING_RUNTIME,
      'models/mnist/model-settings.json': JSON.stringify({name: 'mnist', implementation: 'sklearn'}),
      'models/mnist/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    })
    server = await startMls(repo.dir)
    client = inferenceClient(server.grpcAddress)
  })
  afterAll(async () => {
    client?.close()
    await server?.stop()
    repo?.cleanup()
  })

  it('streams every result the runtime yields, in order, with the id of the request read last; then OK', async () => {
    const {responses, ended} = await stream(client, [message(1.5, {id: 'a'}), message(4, {id: 'b'})])
    expect(await ended).toBeUndefined()
    expect(responses.map((r) => [r.id, r.outputs[0].name, r.outputs[0].contents?.fp64s?.[0]])).toEqual([
      ['a', 'y', 1.5],
      ['a', 'y', 3],
      ['b', 'y', 4],
      ['b', 'y', 8],
      ['b', 'count', 2],
    ])
    expect(responses.every((r) => r.model_name === 'streamer')).toBe(true)
  })

  it('answers while the client is still sending: the runtime reads requests as they come', async () => {
    const {call, responses, ended} = await stream(client, [message(7)], {end: false})
    for (let i = 0; i < 200 && responses.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(responses.map((r) => r.outputs[0].contents?.fp64s?.[0])).toEqual([7, 14])
    call.write(message(1))
    call.end()
    expect(await ended).toBeUndefined()
    expect(responses.map((r) => r.outputs[0].contents?.fp64s?.[0])).toEqual([7, 14, 1, 2, 2])
  })

  it('raw contents in, raw contents out', async () => {
    const raw = {model_name: 'streamer', inputs: [{name: 'x', datatype: 'FP64', shape: [1, 1]}], raw_input_contents: [Buffer.from(new Float64Array([2.5]).buffer)]}
    const {responses, ended} = await stream(client, [raw])
    expect(await ended).toBeUndefined()
    expect(responses.map((r) => r.raw_output_contents[0].readDoubleLE(0))).toEqual([2.5, 5, 1])
  })

  it('a bad request or one for another model ends the stream with the mapped status, after the answers before it', async () => {
    const bad = await stream(client, [message(1), {model_name: 'streamer', inputs: [{name: 'x', datatype: 'FP64', shape: [2, 1], contents: {fp64s: [1]}}]}])
    const badError = await bad.ended
    expect(badError?.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(badError?.metadata.get('mls-error-code')).toEqual(['INVALID_DATA'])
    expect(bad.responses.map((r) => r.outputs[0].contents?.fp64s?.[0])).toEqual([1, 2])

    const other = await stream(client, [message(1), {...message(1), model_name: 'mnist'}])
    const otherError = await other.ended
    expect(otherError?.code).toBe(grpc.status.INVALID_ARGUMENT)
    expect(otherError?.details).toBe('a stream to a streaming model carries requests for that model only: this one is for model "streamer", found model "mnist"')
  })

  it('a stream holds one place in the model\'s queue while open, and gives it back when the client cancels', async () => {
    const open = await stream(client, [message(5)], {end: false})
    for (let i = 0; i < 200 && open.responses.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(open.responses).toHaveLength(2)
    // max_queue_size is 1: the open stream holds it.
    const refused = await stream(client, [message(1)])
    expect((await refused.ended)?.metadata.get('mls-error-code')).toEqual(['QUEUE_FULL'])
    open.call.cancel()
    expect((await open.ended)?.code).toBe(grpc.status.CANCELLED)
    let again: Awaited<ReturnType<typeof stream>> | undefined
    for (let i = 0; i < 100; i++) {
      again = await stream(client, [message(3)])
      if ((await again.ended) === undefined) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(again!.responses.map((r) => r.outputs[0].contents?.fp64s?.[0])).toEqual([3, 6, 1])
  })

  it('ModelInfer and REST still use predict; a model without predictStream still answers one response per request', async () => {
    const rest = await postJson(`${server.url}/v2/models/streamer/infer`, {inputs: [{name: 'x', datatype: 'FP64', shape: [1, 1], data: [3]}]})
    expect(rest.body.outputs[0].data).toEqual([-1])
    const {inputs} = rowRequest(mnist, 0)
    const typed = {model_name: 'mnist', inputs: [{name: 'predict', datatype: 'FP32', shape: [1, 64], contents: {fp32s: inputs[0].data}}]}
    const {responses, ended} = await stream(client, [typed, typed])
    expect(await ended).toBeUndefined()
    expect(responses.map((r) => Number(r.outputs[0].contents?.int64s?.[0]))).toEqual([mnist.expected.predict[0], mnist.expected.predict[0]])
  })

  it('counts each streamed answer as an inference of the model', async () => {
    const text = (await request(server.metricsUrl!)).text
    expect(text).toMatch(/model_infer_request_success_total\{model="streamer",version=""\} ([1-9]\d+)/)
    expect(text).toMatch(/grpc_server_handled_total\{grpc_method="ModelStreamInfer",grpc_code="OK"\} [1-9]/)
  })
})
