/**
 * Security, end to end on the built CLI: the CLI and the monitor sending the repository API token, the token never in
 * the log, REST and gRPC over TLS with a self-signed certificate made here by openssl (and the CLI trusting it with
 * --ca), several processes. The transports' rules (the token on REST and gRPC, CORS, model uris confined to the
 * repository root) are tested in-process (test/integration/security.test.ts).
 */
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {Agent, request as undiciRequest} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeCertificate, type Certificate} from './helpers/certificate.js'
import {MUSHROOM_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {call, inferenceClient} from './helpers/grpc-client.js'
import {request} from './helpers/http.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'
import {runHealthcheck} from './helpers/healthcheck.js'

const TOKEN = 'e2e-token-8f3a'
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const MUSHROOM = {
  'models/mushroom/model-settings.json': JSON.stringify({name: 'mushroom', implementation: 'xgboost', parameters: {uri: './model.json'}}),
  'models/mushroom/model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')},
}

/** A unary call with metadata; resolves with the answer or the error's code name and mls-error-code. */
function grpcCall(client: grpc.Client & Record<string, any>, method: string, body: unknown, metadata: grpc.Metadata): Promise<{ok: true; value: any} | {ok: false; code: string; errorCode: unknown; details: string}> {
  return new Promise((resolve) =>
    client[method](body, metadata, (error: grpc.ServiceError | null, value: unknown) =>
      resolve(error ? {ok: false, code: grpc.status[error.code], errorCode: error.metadata.get('mls-error-code')[0], details: error.details} : {ok: true, value}),
    ),
  )
}

describe('repository API token', () => {
  let server: MlsProcess
  let repo: {dir: string; cleanup(): void}
  beforeAll(async () => {
    repo = makeRepo(MUSHROOM)
    server = await startMls(repo.dir, {env: {MLS_REPOSITORY_AUTH_TOKEN: TOKEN}, args: ['--debug']})
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  it('the CLI sends the token from --token or MLS_REPOSITORY_AUTH_TOKEN, over REST and gRPC; without it, one clear line', async () => {
    const where = ['--url', server.url, '--grpc-url', server.grpcAddress]
    const refused = await runMls(['repo', 'list', ...where], {MLS_REPOSITORY_AUTH_TOKEN: ''})
    expect(refused.code).toBe(1)
    expect(refused.stderr).toBe(
      'Error: server error 401 UNAUTHENTICATED: the repository API needs a bearer token: send "Authorization: Bearer <token>" (the mls CLI: --token or MLS_REPOSITORY_AUTH_TOKEN)\n',
    )
    const unload = await runMls(['repo', 'unload', 'mushroom', '--grpc', '--token', TOKEN, ...where], {MLS_REPOSITORY_AUTH_TOKEN: ''})
    expect(unload.code, unload.output).toBe(0)
    expect(unload.stdout).toMatch(/mushroom\s+-\s+UNAVAILABLE\s+unloaded/)
    const load = await runMls(['repo', 'load', 'mushroom', ...where], {MLS_REPOSITORY_AUTH_TOKEN: TOKEN})
    expect(load.code, load.output).toBe(0)
    expect(load.stdout).toMatch(/mushroom\s+-\s+READY/)
    const list = await runMls(['repo', 'list', '--json', '--grpc', ...where], {MLS_REPOSITORY_AUTH_TOKEN: TOKEN})
    expect(JSON.parse(list.stdout)).toEqual([{name: 'mushroom', state: 'READY', reason: ''}])
  })

  it('mls monitor reads the protected index with the token', async () => {
    const metrics = ['--url', server.url, '--metrics-url', server.metricsUrl!, '--interval', '200', '--json']
    const snapshot = await runMls(['monitor', ...metrics, '--token', TOKEN], {MLS_REPOSITORY_AUTH_TOKEN: ''})
    expect(snapshot.code, snapshot.output).toBe(0)
    const json = JSON.parse(snapshot.stdout) as {models: Array<{name: string; state: string}>; index_error: string | null}
    expect(json.index_error).toBeNull()
    expect(json.models.map((m) => [m.name, m.state])).toEqual([['mushroom', 'READY']])
    // Without the token the index is refused, and the snapshot says why (models then come from the metrics).
    const without = await runMls(['monitor', ...metrics], {MLS_REPOSITORY_AUTH_TOKEN: ''})
    expect(without.code, without.output).toBe(0)
    expect(JSON.parse(without.stdout).index_error).toBe('HTTP 401: the server wants the repository API token (--token or MLS_REPOSITORY_AUTH_TOKEN)')
  })

  it('never writes the token to the log, even with --debug', async () => {
    await server.expectLog('resolved settings:')
    await server.expectLog('"repository_auth_token":"(set)"')
    expect(server.logs()).not.toContain(TOKEN)
  })
})


describe('TLS for REST and gRPC', () => {
  let server: MlsProcess
  let repo: {dir: string; cleanup(): void}
  let certificate: Certificate
  let agent: Agent
  beforeAll(async () => {
    certificate = makeCertificate()
    repo = makeRepo({...MUSHROOM, 'settings.json': JSON.stringify({ssl_certfile: 'tls/cert.pem', ssl_keyfile: 'tls/key.pem', http_port: 0, grpc_port: 0})})
    mkdirSync(path.join(repo.dir, 'tls'))
    copyFileSync(certificate.cert, path.join(repo.dir, 'tls', 'cert.pem'))
    copyFileSync(certificate.key, path.join(repo.dir, 'tls', 'key.pem'))
    server = await startMls(repo.dir)
    agent = new Agent({connect: {ca: readFileSync(certificate.cert)}})
  })
  afterAll(async () => {
    await server?.stop()
    await agent?.close()
    repo?.cleanup()
    certificate?.cleanup()
  })

  it('serves REST over https (the log says so) to a client that trusts the certificate; plain http and untrusting clients fail', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    await server.expectLog(/gRPC server listening on 127\.0\.0\.1:\d+ \(TLS\)/)
    const body = JSON.stringify(rowRequest(mushroom, 1))
    const response = await undiciRequest(server.url + '/v2/models/mushroom/infer', {method: 'POST', body, headers: {'content-type': 'application/json'}, dispatcher: agent})
    expect(response.statusCode).toBe(200)
    const answer = (await response.body.json()) as {outputs: Array<{data: number[]}>}
    expect(answer.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[1], 5)
    await expect(fetch(server.url + '/v2/health/live')).rejects.toThrow() // Node's own trust store does not have it
    await expect(fetch(server.url.replace('https:', 'http:') + '/v2/health/live')).rejects.toThrow()
  })

  it("the image's HEALTHCHECK passes against the https port (and fails once nothing listens there)", () => {
    const port = new URL(server.url).port
    expect(runHealthcheck({MLS_HTTP_PORT: port})).toBe(0)
    expect(runHealthcheck({MLS_HTTP_PORT: '1'})).toBe(1)
  })

  it('serves gRPC over TLS; an insecure channel cannot talk to it', async () => {
    const secure = inferenceClient(server.grpcAddress, grpc.credentials.createSsl(readFileSync(certificate.cert)))
    const insecure = inferenceClient(server.grpcAddress)
    try {
      expect((await call(secure, 'ServerLive', {})).live).toBe(true)
      expect((await call(secure, 'ModelMetadata', {name: 'mushroom'})).platform).toBe('xgboost')
      expect(await grpcCall(insecure, 'ServerLive', {}, new grpc.Metadata())).toMatchObject({ok: false, code: 'UNAVAILABLE'})
    } finally {
      secure.close()
      insecure.close()
    }
  })

  it('the CLI talks https:// and grpcs:// trusting --ca, and says what to do without it', async () => {
    const grpcUrl = `grpcs://${server.grpcAddress}`
    const rows = JSON.stringify(rowRequest(mushroom, 2).inputs[0].data)
    const rest = await runMls(['infer', '--model', 'mushroom', '--url', server.url, '--ca', certificate.cert, '--data', rows, '--json'])
    expect(rest.code, rest.output).toBe(0)
    expect(JSON.parse(rest.stdout).outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[2], 5)
    const overGrpc = await runMls(['repo', 'list', '--grpc', '--grpc-url', grpcUrl, '--json'], {MLS_CA_FILE: certificate.cert})
    expect(overGrpc.code, overGrpc.output).toBe(0)
    expect(overGrpc.stderr).toBe('') // no warning about the IP address as the TLS server name either
    expect(JSON.parse(overGrpc.stdout)).toEqual([{name: 'mushroom', state: 'READY', reason: ''}])
    const untrusted = await runMls(['repo', 'list', '--url', server.url])
    expect(untrusted.code).toBe(1)
    expect(untrusted.stderr).toMatch(/^Error: cannot reach an mls server at https:\/\/127\.0\.0\.1:\d+ \(DEPTH_ZERO_SELF_SIGNED_CERT: the server's TLS certificate is not trusted; pass its CA with --ca FILE/)
    const untrustedGrpc = await runMls(['repo', 'list', '--grpc', '--grpc-url', grpcUrl])
    expect(untrustedGrpc.code).toBe(1)
    expect(untrustedGrpc.stderr).toMatch(/not trusted; pass its CA with --ca FILE/)
  })

  it('a client inside the repository finds https:// and grpcs:// from settings.json; metrics stay plain http', async () => {
    const settings = {
      ssl_certfile: 'tls/cert.pem',
      ssl_keyfile: 'tls/key.pem',
      http_port: Number(new URL(server.url).port),
      grpc_port: Number(server.grpcAddress.split(':').pop()),
    }
    const client = mkdtempSync(path.join(tmpdir(), 'mls-client-'))
    try {
      // The client's copy names files it cannot read (the key is the server's): only the ports and the scheme matter.
      writeFileSync(path.join(client, 'settings.json'), JSON.stringify(settings))
      for (const transport of [[], ['--grpc']]) {
        const list = await runMls(['repo', 'list', '--repo', client, '--ca', certificate.cert, ...transport])
        expect(list.code, list.output).toBe(0)
        expect(list.stdout).toMatch(/mushroom\s+-\s+READY/)
      }
      const monitor = await runMls(['monitor', '--repo', client, '--ca', certificate.cert, '--metrics-url', server.metricsUrl!, '--interval', '200', '--json'])
      expect(monitor.code, monitor.output).toBe(0)
      expect(JSON.parse(monitor.stdout)).toMatchObject({index_error: null, models: [{name: 'mushroom', state: 'READY'}]})
    } finally {
      rmSync(client, {recursive: true, force: true})
    }
    expect(server.metricsUrl).toMatch(/^http:\/\//)
    expect((await request(server.metricsUrl!)).text).toContain('model_infer_request_success_total')
  })

  it('with several processes: every process serves TLS and checks the token; the notice is logged once', async () => {
    const cluster = await startMls(repo.dir, {args: ['--processes', '2'], env: {MLS_REPOSITORY_AUTH_TOKEN: TOKEN}})
    try {
      expect(cluster.url).toMatch(/^https:/)
      expect(cluster.logs().match(/needs the bearer token/g)).toHaveLength(1)
      const where = ['--url', cluster.url, '--grpc-url', `grpcs://${cluster.grpcAddress}`, '--ca', certificate.cert]
      const refused = await runMls(['repo', 'unload', 'mushroom', '--grpc', ...where], {MLS_REPOSITORY_AUTH_TOKEN: ''})
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/^Error: server error UNAUTHENTICATED UNAUTHENTICATED: the repository API needs a bearer token/)
      const unload = await runMls(['repo', 'unload', 'mushroom', '--grpc', '--token', TOKEN, ...where])
      expect(unload.code, unload.output).toBe(0)
      // Every process did it: whichever answers, the index agrees.
      for (let i = 0; i < 2; i++) {
        const list = await runMls(['repo', 'list', '--json', '--token', TOKEN, ...where])
        expect(JSON.parse(list.stdout)).toEqual([{name: 'mushroom', state: 'UNAVAILABLE', reason: 'unloaded'}])
      }
    } finally {
      await cluster.stop()
    }
  }, 60_000)

  it('refuses to start with half a TLS setting or a file that is missing (exit 2, the field and the file named)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mls-tls-'))
    try {
      const half = await runMls(['start', dir, '--ssl-certfile', certificate.cert, '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0'])
      expect(half.code).toBe(2)
      expect(half.stderr).toContain('flag --ssl-certfile: TLS needs both ssl_certfile and ssl_keyfile; ssl_keyfile is not set')
      const missing = await runMls(['start', dir, '--http-port', '0'], {MLS_SSL_CERTFILE: path.join(dir, 'nope.pem'), MLS_SSL_KEYFILE: certificate.key})
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain(`environment variable MLS_SSL_CERTFILE: ${path.join(dir, 'nope.pem')} does not exist; expected a PEM certificate file`)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
