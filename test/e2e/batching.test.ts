/** Adaptive batching end to end: a batched copy of the mnist model answers every concurrent request with its own row. */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
let server: MlsProcess
let cleanup: () => void

beforeAll(async () => {
  const repo = makeRepo({
    'batched/model-settings.json': JSON.stringify({implementation: 'sklearn', max_batch_size: 16, max_batch_time: 0.02}),
    'batched/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
  })
  cleanup = repo.cleanup
  server = await startMls(repo.dir, {args: ['--debug']})
})
afterAll(async () => {
  await server.stop()
  cleanup()
})

describe('adaptive batching', () => {
  it('answers 64 concurrent one-row requests correctly, each with its own id, in batches', async () => {
    const results = await Promise.all(Array.from({length: 64}, (_, i) => postJson(server.url + '/v2/models/batched/infer', {id: `req-${i}`, ...rowRequest(mnist, i)})))
    results.forEach((res, i) => {
      expect(res.status).toBe(200)
      expect(res.body.id).toBe(`req-${i}`)
      expect(res.body.outputs).toEqual([{name: 'predict', shape: [1, 1], datatype: 'INT64', data: [mnist.expected.predict[i]]}])
    })
    // The debug lines are written asynchronously: wait (bounded) until the 64 requests' batches are all logged.
    const logged = () => [...server.logs().matchAll(/batch of (\d+) request\(s\)/g)].map((m) => Number(m[1]))
    for (let i = 0; i < 100 && logged().reduce((a, b) => a + b, 0) < 64; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    const batches = logged()
    expect(batches.some((n) => n > 1)).toBe(true)
    expect(batches.reduce((a, b) => a + b, 0)).toBe(64)
    expect(Math.max(...batches)).toBeLessThanOrEqual(16)
  })

  it('honours each request\'s requested outputs', async () => {
    const [a, b] = await Promise.all([
      postJson(server.url + '/v2/models/batched/infer', {...rowRequest(mnist, 0), outputs: [{name: 'scores'}]}),
      postJson(server.url + '/v2/models/batched/infer', rowRequest(mnist, 1)),
    ])
    expect(a.body.outputs.map((o: {name: string}) => o.name)).toEqual(['scores'])
    expect(a.body.outputs[0].shape).toEqual([1, 45])
    expect(b.body.outputs[0]).toMatchObject({name: 'predict', data: [mnist.expected.predict[1]]})
  })

  it('shows the batch queue metric', async () => {
    const text = (await request(server.metricsUrl!)).text
    expect(text).toMatch(/^# TYPE batch_request_queue gauge$/m)
    expect(text).toMatch(/^batch_request_queue\{model="batched",version=""\} 0$/m)
  })
})
