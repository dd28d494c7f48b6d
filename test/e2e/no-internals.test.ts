/**
 * No server internals in answers: across the error matrix (unknown model load, broken model-settings, a broken model
 * file, a model file outside the root, bad labels, inference / metadata / readiness on failed and unknown models,
 * unload of an unknown model, the repository index), no REST body and no gRPC status message holds the repository's
 * absolute path, and messages name no REST route; load failures still name the file, relative to the root. The
 * server log keeps the absolute paths. On the built CLI, over real HTTP and gRPC.
 */
import {mkdtempSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo} from './helpers/fixtures.js'
import {call, inferenceClient, repositoryClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

let mls: MlsProcess
let repo: ReturnType<typeof makeRepo>
let outside: string
let grpcClient: ReturnType<typeof inferenceClient>
let repoClient: ReturnType<typeof repositoryClient>
/** Every text a client was sent, with what produced it. */
const seen: Array<{what: string; text: string}> = []

const input = {name: 'input', datatype: 'FP32', shape: [1, 64], data: new Array(64).fill(0)}

async function rest(what: string, url: string, body?: unknown): Promise<{status: number; body: any}> {
  const answer = body === undefined ? await request(`${mls.url}${url}`) : await postJson(`${mls.url}${url}`, body)
  seen.push({what: `REST ${what}`, text: answer.text})
  return answer
}

async function grpcCall(what: string, client: any, method: string, message: unknown): Promise<{code: number; details: string; response?: any}> {
  try {
    const response = await call(client, method, message)
    seen.push({what: `gRPC ${what}`, text: JSON.stringify(response)})
    return {code: 0, details: '', response}
  } catch (error) {
    const e = error as {code: number; details: string}
    seen.push({what: `gRPC ${what}`, text: e.details})
    return {code: e.code, details: e.details}
  }
}

beforeAll(async () => {
  outside = mkdtempSync(path.join(tmpdir(), 'mls-outside-'))
  writeFileSync(path.join(outside, 'model.onnx'), 'not onnx')
  repo = makeRepo({
    'digits/model-settings.json': JSON.stringify({name: 'digits', implementation: 'onnx'}),
    'digits/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    'models/bad_json/model-settings.json': '{"name": "bad_json", ',
    'models/bad_field/model-settings.json': JSON.stringify({name: 'bad_field', max_batch_size: 'many'}),
    'models/bad_file/model-settings.json': JSON.stringify({name: 'bad_file', implementation: 'onnx'}),
    'models/bad_file/model.onnx': 'this is not an ONNX graph',
    'models/no_file/model-settings.json': JSON.stringify({name: 'no_file', implementation: 'onnx'}),
    'models/bad_labels/model-settings.json': JSON.stringify({name: 'bad_labels', implementation: 'onnx', parameters: {labels: 'labels.txt'}}),
    'models/bad_labels/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
    'models/escape/model-settings.json': JSON.stringify({name: 'escape', implementation: 'onnx', parameters: {uri: path.join(outside, 'model.onnx')}}),
  })
  mls = await startMls(repo.dir)
  grpcClient = inferenceClient(mls.grpcAddress)
  repoClient = repositoryClient(mls.grpcAddress)
}, 60_000)

afterAll(async () => {
  grpcClient?.close()
  repoClient?.close()
  await mls?.stop()
  repo?.cleanup()
  rmSync(outside, {recursive: true, force: true})
})

describe('no server internals in answers', () => {
  const broken = ['bad_json', 'bad_field', 'bad_file', 'no_file', 'bad_labels', 'escape']

  it('REST: load failures name the file relative to the root; nothing names the root, the temp folder or a route', async () => {
    const unknown = await rest('load unknown', '/v2/repository/models/nope/load', {})
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({code: 'MODEL_NOT_FOUND', error: 'model "nope" not found: no model-settings.json in the repository names it'})
    for (const name of broken) {
      const load = await rest(`load ${name}`, `/v2/repository/models/${name}/load`, {})
      expect(load.status, name).toBe(400)
      expect(load.body.code, name).toBe('MODEL_LOAD_FAILED')
      expect(load.body.error, name).toContain(`models/${name}/model-settings.json`)
      await rest(`infer ${name}`, `/v2/models/${name}/infer`, {inputs: [input]})
      await rest(`metadata ${name}`, `/v2/models/${name}`)
      await rest(`ready ${name}`, `/v2/models/${name}/ready`)
    }
    const index = await rest('index', '/v2/repository/index', {})
    const reasons = Object.fromEntries((index.body as Array<{name: string; reason: string}>).map((m) => [m.name, m.reason]))
    expect(reasons.bad_json).toMatch(/^models\/bad_json\/model-settings\.json: not valid JSON/)
    expect(reasons.bad_field).toMatch(/^models\/bad_field\/model-settings\.json: /)
    expect(reasons.bad_labels).toContain('models/bad_labels/model-settings.json: parameters.labels: expected a readable file of labels')
    expect(reasons.escape).toMatch(/^models\/escape\/model-settings\.json: parameters\.uri: \.\.\/.*mls-outside-.*model\.onnx is outside the repository root;/)
    await rest('unload unknown', '/v2/repository/models/nope/unload', {})
    await rest('infer unknown', '/v2/models/nope/infer', {inputs: [input]})
    await rest('metadata unknown version', '/v2/models/digits/versions/v9')
    // Unloaded, then asked for: the message says how to load it without naming a transport's route.
    expect((await rest('unload digits', '/v2/repository/models/digits/unload', {})).status).toBe(200)
    const unloaded = await rest('infer unloaded', '/v2/models/digits/infer', {inputs: [input]})
    expect(unloaded.body.code).toBe('MODEL_UNAVAILABLE')
    expect((await rest('load digits', '/v2/repository/models/digits/load', {})).status).toBe(200)
  })

  it('gRPC: the same calls, and the status messages name no absolute path either', async () => {
    const unknown = await grpcCall('load unknown', grpcClient, 'RepositoryModelLoad', {model_name: 'nope'})
    expect(unknown.details).toBe('model "nope" not found: no model-settings.json in the repository names it')
    for (const name of broken) {
      const load = await grpcCall(`load ${name}`, grpcClient, 'RepositoryModelLoad', {model_name: name})
      expect(load.details, name).toContain(`models/${name}/model-settings.json`)
      await grpcCall(`load ${name} (repository service)`, repoClient, 'RepositoryModelLoad', {model_name: name})
      await grpcCall(`infer ${name}`, grpcClient, 'ModelInfer', {model_name: name, inputs: [{name: 'input', datatype: 'FP32', shape: [1, 64], contents: {fp32s: input.data}}]})
      await grpcCall(`metadata ${name}`, grpcClient, 'ModelMetadata', {name})
      expect((await grpcCall(`ready ${name}`, grpcClient, 'ModelReady', {name})).response).toEqual({ready: false})
    }
    await grpcCall('index', grpcClient, 'RepositoryIndex', {})
    await grpcCall('index (repository service)', repoClient, 'RepositoryIndex', {})
    await grpcCall('unload unknown', grpcClient, 'RepositoryModelUnload', {model_name: 'nope'})
    await grpcCall('metadata unknown', grpcClient, 'ModelMetadata', {name: 'nope', version: '7'})
  })

  it('what the clients were sent holds no absolute path; the server log has them', () => {
    const roots = [repo.dir, realpathSync(repo.dir), outside, realpathSync(outside), tmpdir()]
    expect(seen.length).toBeGreaterThan(50)
    for (const {what, text} of seen) {
      for (const root of roots) expect(text.includes(root), `${what}: ${text}`).toBe(false)
      expect(text, what).not.toMatch(/POST \/v2|GET \/v2/)
    }
    expect(mls.logs()).toContain(path.join(repo.dir, 'models'))
  })
})
