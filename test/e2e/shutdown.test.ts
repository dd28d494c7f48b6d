/**
 * SIGTERM / SIGINT through the built CLI: readiness turns false at once over REST, gRPC ServerReady and
 * grpc.health.v1, new requests are refused, in-flight requests finish and the exit code is 0; when
 * shutdown_grace_period runs out first, in-flight requests are answered 503 / UNAVAILABLE SERVER_STOPPING and the exit
 * code is 1; a second signal exits at once (130).
 */
import type {ChildProcess} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {afterEach, describe, expect, it} from 'vitest'
import {makeRepo} from './helpers/fixtures.js'
import {call, failure, inferenceClient} from './helpers/grpc-client.js'
import {postJson, request} from './helpers/http.js'
import {REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'
import {PROBE_RUNTIME, SLEEP_RUNTIME, sleepMessage, sleepRequest, untilSleeping} from './helpers/sleep-runtime.js'

const REPO = {
  'models/slow/model-settings.json': JSON.stringify({name: 'slow', implementation: './runtime.ts'}),
  'models/slow/runtime.ts': SLEEP_RUNTIME,
  'models/probe/model-settings.json': JSON.stringify({name: 'probe', implementation: './runtime.ts', parameters: {extra: {watch: 'slow'}}}),
  'models/probe/runtime.ts': PROBE_RUNTIME,
}

function healthClient(address: string): grpc.Client & Record<string, any> {
  const definition = protoLoader.loadSync(`${REPO_ROOT}/proto/health.proto`, {keepCase: true, enums: String})
  const Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health as grpc.ServiceClientConstructor
  return new Health(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>
}

/** The exit code, once the process has exited (without sending it anything). */
function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)))
}

/** Polls GET /v2/health/ready until it answers 503 (at most 200 tries, 10 ms apart). */
async function untilNotReady(url: string): Promise<{status: number; body: unknown}> {
  for (let i = 0; i < 200; i++) {
    const res = await request(`${url}/v2/health/ready`)
    if (res.status !== 200) return res
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('still ready')
}

describe('graceful shutdown', () => {
  let repo: ReturnType<typeof makeRepo> | undefined
  let server: MlsProcess | undefined
  const clients: grpc.Client[] = []
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close()
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL')
    await (server && exitCode(server.child))
    repo?.cleanup()
  })

  it('SIGTERM: not ready at once (REST, gRPC, grpc.health.v1), new requests refused, the in-flight one completes, exit 0', async () => {
    repo = makeRepo(REPO)
    server = await startMls(repo.dir)
    const inference = inferenceClient(server.grpcAddress)
    const health = healthClient(server.grpcAddress)
    clients.push(inference, health)
    expect(await call(health, 'Check', {service: ''})).toEqual({status: 'SERVING'})
    const watched: string[] = []
    const watch = health.Watch({service: ''})
    watch.on('data', (m: {status: string}) => watched.push(m.status))
    watch.on('error', () => undefined)

    let finished = false
    const inFlight = postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(3000)).finally(() => (finished = true))
    await untilSleeping(server.url, 'probe', 1)
    server.child.kill('SIGTERM')

    expect(await untilNotReady(server.url)).toEqual(expect.objectContaining({status: 503, body: {ready: false}}))
    expect(finished).toBe(false)
    expect((await request(`${server.url}/v2/health/live`)).body).toEqual({live: true})
    expect(await call(inference, 'ServerReady', {})).toEqual({ready: false})
    expect(await call(health, 'Check', {service: 'inference.GRPCInferenceService'})).toEqual({status: 'NOT_SERVING'})
    for (let i = 0; i < 200 && watched.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(watched).toEqual(['SERVING', 'NOT_SERVING'])
    const refused = await postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(0))
    expect(refused).toMatchObject({status: 503, body: {code: 'SERVER_STOPPING'}})
    expect(await failure(inference, 'ModelInfer', sleepMessage('slow', 0))).toMatchObject({code: 'UNAVAILABLE', errorCode: 'SERVER_STOPPING'})
    expect(finished).toBe(false)

    const answer = await inFlight
    expect(answer.status).toBe(200)
    expect(answer.body.outputs[0].name).toBe('rows_seen')
    expect(await exitCode(server.child)).toBe(0)
    await server.expectLog(/SIGTERM: shutting down/)
    await server.expectLog(/waiting for 1 request\(s\) in flight \(shutdown_grace_period 30 s\)/)
    await server.expectLog(/INFO  stopped\n/)
  })

  it('a grace period shorter than the request: the request is answered 503 / UNAVAILABLE SERVER_STOPPING, exit 1', async () => {
    repo = makeRepo(REPO)
    server = await startMls(repo.dir, {args: ['--shutdown-grace-period', '0.5']})
    const inference = inferenceClient(server.grpcAddress)
    clients.push(inference)
    const rest = postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(600_000))
    const overGrpc = failure(inference, 'ModelInfer', sleepMessage('slow', 600_000))
    await untilSleeping(server.url, 'probe', 2)
    server.child.kill('SIGINT')

    expect(await rest).toEqual(expect.objectContaining({
      status: 503,
      body: {code: 'SERVER_STOPPING', error: 'the server is shutting down and its shutdown_grace_period (0.5 s) ran out before this request finished'},
    }))
    expect(await overGrpc).toMatchObject({code: 'UNAVAILABLE', errorCode: 'SERVER_STOPPING'})
    expect(await exitCode(server.child)).toBe(1)
    await server.expectLog(/shutdown_grace_period \(0\.5 s\) ran out: 2 request\(s\) still in flight answered 503 SERVER_STOPPING/)
  })

  it('a second signal exits at once (130) without waiting for the in-flight request', async () => {
    repo = makeRepo(REPO)
    server = await startMls(repo.dir)
    const inFlight = postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(600_000)).catch((error: Error) => error)
    await untilSleeping(server.url, 'probe', 1)
    server.child.kill('SIGTERM')
    await untilNotReady(server.url)
    server.child.kill('SIGTERM')
    expect(await exitCode(server.child)).toBe(130)
    expect(await inFlight).toBeInstanceOf(Error)
    await server.expectLog(/SIGTERM again: exiting at once/)
  })

  it('with --processes 2 the process holding a request waits its grace period; cut off, the server exits 1', async () => {
    repo = makeRepo({})
    const started = path.join(repo.dir, 'started.txt')
    writeFileSync(path.join(repo.dir, 'started.txt'), '')
    mkdirSync(path.join(repo.dir, 'models/slow'), {recursive: true})
    writeFileSync(path.join(repo.dir, 'models/slow/model-settings.json'), JSON.stringify({name: 'slow', implementation: './runtime.ts', parameters: {extra: {started_file: started}}}))
    writeFileSync(path.join(repo.dir, 'models/slow/runtime.ts'), SLEEP_RUNTIME)
    server = await startMls(repo.dir, {args: ['--processes', '2', '--shutdown-grace-period', '0.5']})
    const inFlight = postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(600_000))
    for (let i = 0; i < 400 && readFileSync(started, 'utf8') === ''; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    expect(readFileSync(started, 'utf8')).toBe('started\n')
    server.child.kill('SIGTERM')
    expect(await inFlight).toMatchObject({status: 503, body: {code: 'SERVER_STOPPING'}})
    expect(await exitCode(server.child)).toBe(1)
  })
})
