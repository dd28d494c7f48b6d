/**
 * Hostile round 2, the registry's part (issue 20, items 7 and 12): a repository load while a model-settings.json is
 * broken (a non-atomic sync caught half-written) changes nothing that serves, and fixing the file and loading again
 * restores the usual state; with repository_auth_token set, load-failure reasons (which carry file paths) stay in the
 * guarded repository index and the log, not in the data plane's answers. In-process, REST through `inject` and gRPC
 * on a real port, over the ONNX identity model of test/fixtures/models copied into temporary repositories.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeRepo, type RepoFiles} from '../e2e/helpers/fixtures.js'
import {call, failure, inferenceClient, repositoryClient} from '../e2e/helpers/grpc-client.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const ONNX = {copy: fileURLToPath(new URL('../fixtures/models/identity_fp32/model.onnx', import.meta.url))}
const settings = (value: unknown) => JSON.stringify(value)
/** What a sync caught half-way leaves: the start of the file. */
const HALF_WRITTEN = '{"name": "fp", "implementation": "onn'
const body = (value: number) => ({inputs: [{name: 'x', datatype: 'FP32', shape: [1], data: [value]}]})
const message = (name: string, value: number, version = '') => ({model_name: name, model_version: version, inputs: [{name: 'x', datatype: 'FP32', shape: [1], contents: {fp32s: [value]}}]})

interface Served {
  server: InProcessServer
  dir: string
  grpc: ReturnType<typeof inferenceClient>
  repository: ReturnType<typeof repositoryClient>
  close(): Promise<void>
}

async function serve(files: RepoFiles, flags: Record<string, unknown> = {}): Promise<Served> {
  const repo = makeRepo(files)
  const server = await startInProcess(repo.dir, {flags})
  const grpc = inferenceClient(server.grpcAddress)
  const repository = repositoryClient(server.grpcAddress)
  return {
    server,
    dir: repo.dir,
    grpc,
    repository,
    async close() {
      grpc.close()
      repository.close()
      try {
        await server.close()
      } finally {
        repo.cleanup()
      }
    },
  }
}

type Item = {name: string; version?: string; state: string; reason: string}
const indexOf = async (server: InProcessServer, name: string, headers: Record<string, string> = {}) =>
  ((await server.postJson('/v2/repository/index', {}, headers)).body as Item[]).filter((item) => item.name === name)

/** `name` (and `name`/`version`) answers on REST and gRPC: infer, metadata and ready at the default route and the version's. */
async function serves(s: Served, name: string, versions: readonly string[]): Promise<void> {
  for (const route of ['', ...versions.map((v) => `/versions/${v}`)]) {
    const infer = await s.server.postJson(`/v2/models/${name}${route}/infer`, body(3))
    expect(infer.status, `${name}${route} infer: ${infer.text}`).toBe(200)
    expect(infer.body.outputs[0].data).toEqual([3])
    expect((await s.server.request(`/v2/models/${name}${route}`)).status, `${name}${route} metadata`).toBe(200)
    expect((await s.server.request(`/v2/models/${name}${route}/ready`)).status, `${name}${route} ready`).toBe(200)
  }
  for (const version of ['', ...versions]) {
    expect((await call(s.grpc, 'ModelInfer', message(name, 4, version))).outputs[0].contents.fp32s).toEqual([4])
    expect((await call(s.grpc, 'ModelReady', {name, version})).ready).toBe(true)
    expect((await call(s.grpc, 'ModelMetadata', {name, version})).name).toBe(name)
  }
}

describe('a failed repository load changes nothing that serves (item 7)', () => {
  let s: Served
  const file = (...parts: string[]) => path.join(s.dir, ...parts, 'model-settings.json')
  /** The file as a client reads it in a failure: relative to the repository root. */
  const shown = (...parts: string[]) => `: ${path.join(...parts, 'model-settings.json')}: `

  beforeAll(async () => {
    s = await serve({
      // One version, named in the file (the version a folder-name guess cannot know).
      'fp/model-settings.json': settings({name: 'fp', implementation: 'onnx', parameters: {version: 'v1'}}),
      'fp/model.onnx': ONNX,
      'grpcfp/model-settings.json': settings({name: 'grpcfp', implementation: 'onnx', parameters: {version: 'v1'}}),
      'grpcfp/model.onnx': ONNX,
      // Several versions, one folder each: a broken file's folder name is its version's, not the model's.
      'multi/v1/model-settings.json': settings({name: 'multi', implementation: 'onnx', parameters: {version: 'v1'}}),
      'multi/v1/model.onnx': ONNX,
      'multi/v2/model-settings.json': settings({name: 'multi', implementation: 'onnx', parameters: {version: 'v2'}}),
      'multi/v2/model.onnx': ONNX,
    })
  }, 60_000)
  afterAll(() => s?.close())

  it('REST: a load while the file is half-written is 400 MODEL_LOAD_FAILED with the file and reason; the version keeps serving at every address; fixed and loaded, the usual state', async () => {
    await serves(s, 'fp', ['v1'])
    const good = settings({name: 'fp', implementation: 'onnx', parameters: {version: 'v1'}})
    writeFileSync(file('fp'), HALF_WRITTEN)
    for (let attempt = 0; attempt < 3; attempt++) {
      const load = await s.server.request('/v2/repository/models/fp/load', {method: 'POST'})
      expect(load.status).toBe(400)
      expect(load.body.code).toBe('MODEL_LOAD_FAILED')
      expect(load.body.error).toContain(shown('fp'))
      expect(load.body.error).toContain('not valid JSON')
      // No phantom unversioned entry; the one version still READY, the reason says the reload failed.
      expect(await indexOf(s.server, 'fp')).toEqual([{name: 'fp', version: 'v1', state: 'READY', reason: expect.stringContaining('not valid JSON')}])
      await serves(s, 'fp', ['v1'])
    }
    writeFileSync(file('fp'), good)
    expect((await s.server.request('/v2/repository/models/fp/load', {method: 'POST'})).status).toBe(200)
    expect(await indexOf(s.server, 'fp')).toEqual([{name: 'fp', version: 'v1', state: 'READY', reason: ''}])
    await serves(s, 'fp', ['v1'])
  })

  it('gRPC RepositoryModelLoad: the same (INVALID_ARGUMENT MODEL_LOAD_FAILED), and the same recovery', async () => {
    writeFileSync(file('grpcfp'), '{"name": "grpcfp", "implementation"')
    const load = await failure(s.repository, 'RepositoryModelLoad', {model_name: 'grpcfp'})
    expect(load).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'MODEL_LOAD_FAILED'})
    expect(load.details).toContain(shown('grpcfp'))
    expect(load.details).toContain('not valid JSON')
    const index = (await call(s.repository, 'RepositoryIndex', {})).models.filter((m: Item) => m.name === 'grpcfp')
    expect(index).toEqual([{name: 'grpcfp', version: 'v1', state: 'READY', reason: expect.stringContaining('not valid JSON')}])
    await serves(s, 'grpcfp', ['v1'])
    writeFileSync(file('grpcfp'), settings({name: 'grpcfp', implementation: 'onnx', parameters: {version: 'v1'}}))
    await call(s.repository, 'RepositoryModelLoad', {model_name: 'grpcfp'})
    expect((await call(s.repository, 'RepositoryIndex', {})).models.filter((m: Item) => m.name === 'grpcfp')).toEqual([{name: 'grpcfp', version: 'v1', state: 'READY', reason: ''}])
    await serves(s, 'grpcfp', ['v1'])
  })

  it('several versions: one version\'s file broken makes the load 400 naming that file; both versions and the default route keep serving', async () => {
    await serves(s, 'multi', ['v1', 'v2'])
    writeFileSync(file('multi', 'v2'), '{"name": "multi", "parameters": {"version": "v')
    const load = await s.server.request('/v2/repository/models/multi/load', {method: 'POST'})
    expect(load.status).toBe(400)
    expect(load.body.code).toBe('MODEL_LOAD_FAILED')
    expect(load.body.error).toContain(shown('multi', 'v2'))
    const grpcLoad = await failure(s.repository, 'RepositoryModelLoad', {model_name: 'multi'})
    expect(grpcLoad).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'MODEL_LOAD_FAILED'})
    const items = await indexOf(s.server, 'multi')
    expect(items.map((i) => [i.version, i.state])).toEqual([['v1', 'READY'], ['v2', 'READY']])
    expect(items[1].reason).toContain('not valid JSON')
    await serves(s, 'multi', ['v1', 'v2'])
    // The default is still the highest version: v2's old instance serves it.
    expect((await s.server.postJson('/v2/models/multi/infer', body(1))).body.model_version).toBe('v2')
    writeFileSync(file('multi', 'v2'), settings({name: 'multi', implementation: 'onnx', parameters: {version: 'v2'}}))
    expect((await s.server.request('/v2/repository/models/multi/load', {method: 'POST'})).status).toBe(200)
    expect((await indexOf(s.server, 'multi')).map((i) => [i.version, i.state, i.reason])).toEqual([['v1', 'READY', ''], ['v2', 'READY', '']])
    await serves(s, 'multi', ['v1', 'v2'])
  })

  it('the default route is chosen among READY versions: when the highest version fails its first load, the next one answers it', async () => {
    mkdirSync(path.join(s.dir, 'late', 'v1'), {recursive: true})
    mkdirSync(path.join(s.dir, 'late', 'v2'), {recursive: true})
    writeFileSync(path.join(s.dir, 'late', 'v1', 'model.onnx'), readFileSync(ONNX.copy))
    writeFileSync(file('late', 'v1'), settings({name: 'late', implementation: 'onnx', parameters: {version: 'v1'}}))
    // v2 names a model file that is not there.
    writeFileSync(file('late', 'v2'), settings({name: 'late', implementation: 'onnx', parameters: {version: 'v2'}}))
    const load = await s.server.request('/v2/repository/models/late/load', {method: 'POST'})
    expect(load.status).toBe(400)
    expect(load.body.code).toBe('MODEL_LOAD_FAILED')
    expect(load.body.error).toContain(shown('late', 'v2'))
    const infer = await s.server.postJson('/v2/models/late/infer', body(5))
    expect(infer.status).toBe(200)
    expect(infer.body.model_version).toBe('v1')
    expect((await s.server.request('/v2/models/late/ready')).status).toBe(200)
    expect((await s.server.postJson('/v2/models/late/versions/v2/infer', body(5))).body.code).toBe('MODEL_UNAVAILABLE')
  })

  it('a model not yet loaded (added after start-up): a half-written file is 400 and leaves no phantom; fixed, it loads with its own version', async () => {
    mkdirSync(path.join(s.dir, 'newfp'))
    writeFileSync(path.join(s.dir, 'newfp', 'model.onnx'), readFileSync(ONNX.copy))
    writeFileSync(file('newfp'), '{"name": "newfp", "parameters": {"vers')
    const load = await s.server.request('/v2/repository/models/newfp/load', {method: 'POST'})
    expect(load.status).toBe(400)
    expect(load.body.code).toBe('MODEL_LOAD_FAILED')
    expect(load.body.error).toContain(shown('newfp'))
    const grpcLoad = await failure(s.repository, 'RepositoryModelLoad', {model_name: 'newfp'})
    expect(grpcLoad).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'MODEL_LOAD_FAILED'})
    expect([404]).toContain((await s.server.postJson('/v2/models/newfp/infer', body(1))).status)
    writeFileSync(file('newfp'), settings({name: 'newfp', implementation: 'onnx', parameters: {version: 'v7'}}))
    expect((await s.server.request('/v2/repository/models/newfp/load', {method: 'POST'})).status).toBe(200)
    expect(await indexOf(s.server, 'newfp')).toEqual([{name: 'newfp', version: 'v7', state: 'READY', reason: ''}])
    await serves(s, 'newfp', ['v7'])
  })
})

describe('a model registered but never loaded (load_models_at_startup false)', () => {
  let s: Served
  beforeAll(async () => {
    s = await serve(
      {
        'fp/model-settings.json': settings({name: 'fp', implementation: 'onnx', parameters: {version: 'v1'}}),
        'fp/model.onnx': ONNX,
      },
      {load_models_at_startup: false},
    )
  }, 60_000)
  afterAll(() => s?.close())

  it('a load while its file is half-written is 400; fixed and loaded, it serves at the default route (REST and gRPC)', async () => {
    const file = path.join(s.dir, 'fp', 'model-settings.json')
    writeFileSync(file, HALF_WRITTEN)
    expect((await s.server.request('/v2/repository/models/fp/load', {method: 'POST'})).body.code).toBe('MODEL_LOAD_FAILED')
    expect(await indexOf(s.server, 'fp')).toEqual([{name: 'fp', version: 'v1', state: 'UNAVAILABLE', reason: expect.stringContaining('not valid JSON')}])
    writeFileSync(file, settings({name: 'fp', implementation: 'onnx', parameters: {version: 'v1'}}))
    await call(s.repository, 'RepositoryModelLoad', {model_name: 'fp'})
    expect(await indexOf(s.server, 'fp')).toEqual([{name: 'fp', version: 'v1', state: 'READY', reason: ''}])
    await serves(s, 'fp', ['v1'])
  })
})

describe('repository_auth_token set: load-failure reasons are not shown to unauthenticated callers (item 12)', () => {
  const TOKEN = 'a-long-enough-repository-token-for-the-tests'
  let s: Served
  let broken: string
  beforeAll(async () => {
    s = await serve(
      {
        'good/model-settings.json': settings({name: 'good', implementation: 'onnx'}),
        'good/model.onnx': ONNX,
        'broken/model-settings.json': settings({name: 'broken', implementation: 'onnx', parameters: {version: 'v1'}}),
        'halfway/model-settings.json': '{"name": "halfway", "impl',
      },
      {repository_auth_token: TOKEN},
    )
    broken = path.join(s.dir, 'broken')
  }, 60_000)
  afterAll(() => s?.close())

  const HIDDEN = (name: string) => new RegExp(`^model "${name}"( version "v1")? failed to load[^:/\\\\]*$`)

  it('REST metadata, infer, ready and the model docs: the code and "failed to load", no reason and no path', async () => {
    for (const name of ['broken', 'halfway']) {
      for (const url of [`/v2/models/${name}`, `/v2/models/${name}/docs`, `/v2/models/${name}/docs/dataplane.json`]) {
        const res = await s.server.request(url)
        expect(res.status, url).toBe(404)
        expect(res.body, url).toEqual({code: 'MODEL_UNAVAILABLE', error: expect.stringMatching(HIDDEN(name))})
      }
      const infer = await s.server.postJson(`/v2/models/${name}/infer`, body(1))
      expect(infer.status).toBe(404)
      expect(infer.body).toEqual({code: 'MODEL_UNAVAILABLE', error: expect.stringMatching(HIDDEN(name))})
      const ready = await s.server.request(`/v2/models/${name}/ready`)
      expect(ready.text).not.toContain(s.dir)
    }
    expect((await s.server.request('/v2/models/broken/versions/v1')).body.error).toMatch(HIDDEN('broken'))
    const docs = await s.server.request('/v2/docs/dataplane.json')
    expect(docs.text).not.toContain(s.dir)
  })

  it('gRPC ModelMetadata, ModelInfer and ModelReady: the same', async () => {
    for (const name of ['broken', 'halfway']) {
      const metadata = await failure(s.grpc, 'ModelMetadata', {name})
      expect(metadata).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_UNAVAILABLE', details: expect.stringMatching(HIDDEN(name))})
      const infer = await failure(s.grpc, 'ModelInfer', message(name, 1))
      expect(infer).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_UNAVAILABLE', details: expect.stringMatching(HIDDEN(name))})
      expect((await call(s.grpc, 'ModelReady', {name})).ready).toBe(false)
    }
  })

  it('the guarded index (REST and gRPC, with the token) and the server log keep the reason with its path', async () => {
    const items = await indexOf(s.server, 'broken', {authorization: `Bearer ${TOKEN}`})
    // Relative to the root in the answer (clients never learn where the server keeps its files); whole in the log.
    expect(items).toEqual([{name: 'broken', version: 'v1', state: 'UNAVAILABLE', reason: expect.stringContaining(' in broken')}])
    expect(JSON.stringify(items)).not.toContain(s.dir)
    expect((await s.server.postJson('/v2/repository/index', {})).status).toBe(401)
    // The gRPC test client sends no token: the index is refused; the reason is not in its answer.
    const refused = await failure(s.repository, 'RepositoryIndex', {})
    expect(refused.code).toBe('UNAUTHENTICATED')
    expect(refused.details).not.toContain(s.dir)
    expect(s.server.logs()).toContain(broken)
  })

  it('the load answer (guarded) still names the file and the reason', async () => {
    const load = await s.server.request('/v2/repository/models/halfway/load', {method: 'POST', headers: {authorization: `Bearer ${TOKEN}`}})
    expect(load.status).toBe(400)
    expect(load.body).toEqual({code: 'MODEL_LOAD_FAILED', error: expect.stringContaining(`: ${path.join('halfway', 'model-settings.json')}: `)})
  })
})

describe('no repository_auth_token: the reasons are shown as before', () => {
  let s: Served
  beforeAll(async () => {
    s = await serve({'broken/model-settings.json': settings({name: 'broken', implementation: 'onnx'}), 'good/model-settings.json': settings({implementation: 'onnx'}), 'good/model.onnx': ONNX})
  }, 60_000)
  afterAll(() => s?.close())

  it('REST and gRPC metadata and infer carry the reason with its path, relative to the repository root', async () => {
    const where = 'expected an ONNX model (model.onnx or *.onnx) in broken'
    const texts = [
      (await s.server.request('/v2/models/broken')).body.error,
      (await s.server.postJson('/v2/models/broken/infer', body(1))).body.error,
      (await failure(s.grpc, 'ModelMetadata', {name: 'broken'})).details,
      (await failure(s.grpc, 'ModelInfer', message('broken', 1))).details,
    ]
    for (const text of texts) {
      expect(text).toContain(where)
      expect(text).not.toContain(s.dir)
    }
  })
})
