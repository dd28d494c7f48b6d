/**
 * Security rules of the transports, in-process: the repository API behind a bearer token (REST and both gRPC
 * services), CORS as cors_settings says and off by default, model uris confined to the repository root. What needs a
 * process (the CLI sending the token, the log, TLS certificates, several processes) is tested end to end
 * (test/e2e/security.test.ts).
 */
import {copyFileSync, mkdtempSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MUSHROOM_DIR, makeRepo, readTestSet, rowRequest} from '../e2e/helpers/fixtures.js'
import {call, failure, inferenceClient, repositoryClient} from '../e2e/helpers/grpc-client.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const TOKEN = 'e2e-token-8f3a'
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const MUSHROOM = {
  'models/mushroom/model-settings.json': JSON.stringify({name: 'mushroom', implementation: 'xgboost', parameters: {uri: './model.json'}}),
  'models/mushroom/model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')},
}
const bearer = (token: string) => ({authorization: `Bearer ${token}`})

function withToken(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata()
  metadata.set('authorization', `Bearer ${token}`)
  return metadata
}

/** A unary call with metadata; resolves with the answer or the error's code name and mls-error-code. */
function grpcCall(client: grpc.Client & Record<string, any>, method: string, body: unknown, metadata: grpc.Metadata): Promise<{ok: true; value: any} | {ok: false; code: string; errorCode: unknown; details: string}> {
  return new Promise((resolve) =>
    client[method](body, metadata, (error: grpc.ServiceError | null, value: unknown) =>
      resolve(error ? {ok: false, code: grpc.status[error.code], errorCode: error.metadata.get('mls-error-code')[0], details: error.details} : {ok: true, value}),
    ),
  )
}

describe('repository API token and CORS', () => {
  let server: InProcessServer
  let repo: {dir: string; cleanup(): void}
  beforeAll(async () => {
    repo = makeRepo({
      ...MUSHROOM,
      'settings.json': JSON.stringify({cors_settings: {allow_origins: ['https://app.example'], allow_methods: ['GET', 'POST'], allow_headers: ['authorization', 'content-type']}}),
    })
    server = await startInProcess(repo.dir, {env: {MLS_REPOSITORY_AUTH_TOKEN: TOKEN}, flags: {debug: true}})
  })
  afterAll(async () => {
    await server?.close()
    repo?.cleanup()
  })

  it('REST: index, load and unload answer 401 UNAUTHENTICATED with a Bearer challenge unless the token is sent', async () => {
    const url = '/v2/repository/models/mushroom/unload'
    const missing = await server.postJson(url, {})
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mls"')
    expect(missing.body).toEqual({
      code: 'UNAUTHENTICATED',
      error: 'the repository API needs a bearer token: send "Authorization: Bearer <token>" (the mls CLI: --token or MLS_REPOSITORY_AUTH_TOKEN)',
    })
    const wrong = await server.postJson(url, {}, bearer('guess'))
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="mls", error="invalid_token"')
    expect(wrong.body.code).toBe('UNAUTHENTICATED')
    expect((await server.postJson('/v2/repository/models/mushroom/load', {})).status).toBe(401)
    expect((await server.postJson('/v2/repository/index', {})).status).toBe(401)
    // Refused means not done: the model still serves.
    const index = await server.postJson('/v2/repository/index', {}, bearer(TOKEN))
    expect(index.status).toBe(200)
    expect(index.body).toEqual([{name: 'mushroom', state: 'READY', reason: ''}])
  })

  it('REST: inference, metadata and health need no token', async () => {
    const infer = await server.postJson('/v2/models/mushroom/infer', rowRequest(mushroom, 0))
    expect(infer.status).toBe(200)
    expect(infer.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[0], 5)
    expect((await server.request('/v2/models/mushroom')).status).toBe(200)
    expect((await server.request('/v2/health/ready')).status).toBe(200)
  })

  it('gRPC: the repository rpcs of both services are UNAUTHENTICATED without metadata authorization', async () => {
    const inference = inferenceClient(server.grpcAddress)
    const repository = repositoryClient(server.grpcAddress)
    try {
      for (const client of [inference, repository]) {
        expect(await failure(client, 'RepositoryModelUnload', {model_name: 'mushroom'})).toMatchObject({code: 'UNAUTHENTICATED', errorCode: 'UNAUTHENTICATED'})
        expect(await grpcCall(client, 'RepositoryIndex', {}, withToken('guess'))).toMatchObject({ok: false, code: 'UNAUTHENTICATED', details: 'the bearer token is not the repository API token'})
        const index = await grpcCall(client, 'RepositoryIndex', {}, withToken(TOKEN))
        expect(index.ok && index.value.models.map((m: {name: string; state: string}) => [m.name, m.state])).toEqual([['mushroom', 'READY']])
      }
      expect((await call(inference, 'ServerReady', {})).ready).toBe(true)
    } finally {
      inference.close()
      repository.close()
    }
  })

  it('CORS as cors_settings says: preflights answered for the allowed origin, refused for others', async () => {
    const preflight = (origin: string, method: string, headers: string) =>
      server.request('/v2/repository/index', {method: 'OPTIONS', headers: {origin, 'access-control-request-method': method, 'access-control-request-headers': headers}})
    const allowed = await preflight('https://app.example', 'POST', 'authorization, content-type')
    expect(allowed.status).toBe(200)
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, POST')
    expect(allowed.headers.get('access-control-allow-headers')).toBe('accept, accept-language, authorization, content-language, content-type')
    expect(allowed.headers.get('access-control-max-age')).toBe('600')
    const refused = await preflight('https://evil.example', 'DELETE', 'x-other')
    expect(refused.status).toBe(400)
    expect(refused.text).toBe('Disallowed CORS origin, method, headers')
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    // Real requests: the allowed origin is told so, on successes and errors alike; another origin is not.
    const ok = await server.request('/v2/models/mushroom', {headers: {origin: 'https://app.example'}})
    expect([ok.status, ok.headers.get('access-control-allow-origin'), ok.headers.get('vary')]).toEqual([200, 'https://app.example', 'Origin'])
    const unauthorized = await server.postJson('/v2/repository/index', {}, {origin: 'https://app.example'})
    expect([unauthorized.status, unauthorized.headers.get('access-control-allow-origin')]).toEqual([401, 'https://app.example'])
    const notFound = await server.request('/v2/models/nope', {headers: {origin: 'https://app.example'}})
    expect([notFound.status, notFound.headers.get('access-control-allow-origin')]).toEqual([404, 'https://app.example'])
    const other = await server.request('/v2/models/mushroom', {headers: {origin: 'https://evil.example'}})
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('model uris stay inside the repository root', () => {
  let outside: string
  let repo: {dir: string; cleanup(): void}
  beforeAll(() => {
    outside = mkdtempSync(path.join(tmpdir(), 'mls-outside-'))
    copyFileSync(path.join(MUSHROOM_DIR, 'model.json'), path.join(outside, 'model.json'))
    repo = makeRepo({
      ...MUSHROOM,
      'models/escape/model-settings.json': JSON.stringify({name: 'escape', implementation: 'xgboost', parameters: {uri: path.join(outside, 'model.json')}}),
      'models/linked/model-settings.json': JSON.stringify({name: 'linked', implementation: 'xgboost', parameters: {uri: './elsewhere/model.json'}}),
    })
    symlinkSync(outside, path.join(repo.dir, 'models/linked/elsewhere'))
  })
  afterAll(() => {
    repo?.cleanup()
    rmSync(outside, {recursive: true, force: true})
  })

  it('a uri outside the root, directly or through a symbolic link, leaves that model UNAVAILABLE; CORS is off by default', async () => {
    const server = await startInProcess(repo.dir)
    try {
      const items = (await server.postJson('/v2/repository/index', {})).body as Array<{name: string; state: string; reason: string}>
      const byName = Object.fromEntries(items.map((m) => [m.name, m]))
      expect(byName.mushroom.state).toBe('READY')
      expect(byName.escape.state).toBe('UNAVAILABLE')
      expect(byName.escape.reason).toMatch(/escape[/\\]model-settings\.json: parameters\.uri: .*model\.json is outside the repository root; move the model inside the repository, or set allow_external_uris: true in settings\.json$/)
      expect(byName.linked.reason).toMatch(/parameters\.uri: .*elsewhere[/\\]model\.json \(which is .*mls-outside-.*model\.json\) is outside the repository root/)
      const load = await server.postJson('/v2/repository/models/linked/load', {})
      expect(load.status).toBe(400)
      expect(load.body.code).toBe('MODEL_LOAD_FAILED')
      expect(load.body.error).toMatch(/outside the repository root/)
      // No cors_settings: a preflight is an unknown route and answers carry no CORS header.
      const preflight = await server.request('/v2/models/mushroom/infer', {method: 'OPTIONS', headers: {origin: 'https://app.example', 'access-control-request-method': 'POST'}})
      expect(preflight.status).toBe(404)
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
      expect((await server.request('/v2/models/mushroom', {headers: {origin: 'https://app.example'}})).headers.get('access-control-allow-origin')).toBeNull()
    } finally {
      await server.close()
    }
  })

  it('allow_external_uris: true serves them', async () => {
    const server = await startInProcess(repo.dir, {env: {MLS_ALLOW_EXTERNAL_URIS: 'true'}})
    try {
      const items = (await server.postJson('/v2/repository/index', {})).body as Array<{name: string; state: string}>
      expect(items.map((m) => [m.name, m.state]).sort()).toEqual([['escape', 'READY'], ['linked', 'READY'], ['mushroom', 'READY']])
      const infer = await server.postJson('/v2/models/linked/infer', rowRequest(mushroom, 3))
      expect(infer.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[3], 5)
    } finally {
      await server.close()
    }
  })
})
