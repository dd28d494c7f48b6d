/**
 * Model readiness for a model or version that does not exist, as Triton answers it (and tritonclient expects:
 * is_model_ready returns False, it does not raise): REST 400 {"name", "ready": false}, gRPC ModelReady OK with
 * ready: false; the same as for a known model that is not ready. Over real HTTP and gRPC on the built CLI.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo} from './helpers/fixtures.js'
import {call, failure, inferenceClient} from './helpers/grpc-client.js'
import {request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

let mls: MlsProcess
let repo: ReturnType<typeof makeRepo>
let client: ReturnType<typeof inferenceClient>

beforeAll(async () => {
  repo = makeRepo({
    'digits/model-settings.json': JSON.stringify({name: 'digits', implementation: 'onnx', parameters: {version: 'v1'}}),
    'digits/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    'broken/model-settings.json': '{"name": "broken", "implementation": "onnx"',
  })
  mls = await startMls(repo.dir)
  client = inferenceClient(mls.grpcAddress)
}, 60_000)

afterAll(async () => {
  client?.close()
  await mls?.stop()
  repo?.cleanup()
})

describe('model readiness', () => {
  it('REST: 400 {"name", "ready": false} for an unknown model or version, as for a known model that is not ready', async () => {
    expect(await request(`${mls.url}/v2/models/digits/ready`)).toMatchObject({status: 200, body: {name: 'digits', ready: true}})
    expect(await request(`${mls.url}/v2/models/digits/versions/v1/ready`)).toMatchObject({status: 200, body: {name: 'digits', version: 'v1', ready: true}})
    expect(await request(`${mls.url}/v2/models/nope/ready`)).toMatchObject({status: 400, body: {name: 'nope', ready: false}})
    expect((await request(`${mls.url}/v2/models/nope/ready`)).body).toEqual({name: 'nope', ready: false})
    expect((await request(`${mls.url}/v2/models/digits/versions/v9/ready`)).body).toEqual({name: 'digits', version: 'v9', ready: false})
    expect((await request(`${mls.url}/v2/models/nope/versions/v1/ready`)).status).toBe(400)
    expect(await request(`${mls.url}/v2/models/broken/ready`)).toMatchObject({status: 400, body: {name: 'broken', ready: false}})
    // Metadata and inference still say what is missing.
    expect((await request(`${mls.url}/v2/models/nope`)).body.code).toBe('MODEL_NOT_FOUND')
  })

  it('gRPC ModelReady: OK with ready false for an unknown model or version; metadata still NOT_FOUND', async () => {
    expect(await call(client, 'ModelReady', {name: 'digits', version: 'v1'})).toEqual({ready: true})
    expect(await call(client, 'ModelReady', {name: 'nope'})).toEqual({ready: false})
    expect(await call(client, 'ModelReady', {name: 'nope', version: '3'})).toEqual({ready: false})
    expect(await call(client, 'ModelReady', {name: 'digits', version: 'v9'})).toEqual({ready: false})
    expect(await call(client, 'ModelReady', {name: 'broken'})).toEqual({ready: false})
    expect(await failure(client, 'ModelMetadata', {name: 'nope'})).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_NOT_FOUND'})
  })
})
