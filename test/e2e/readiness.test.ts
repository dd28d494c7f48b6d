/**
 * Readiness that orchestrators can trust, the same on every probe: REST /v2/health/ready, gRPC ServerReady and
 * grpc.health.v1 Check (and Watch). Table-driven over the states a pod goes through: start-up loading in progress,
 * zero models, a failed model with and without strict_readiness, nothing loaded at start-up, the last model unloaded.
 * Liveness is true throughout.
 */
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {afterEach, describe, expect, it} from 'vitest'
import {MUSHROOM_DIR, makeRepo, type RepoFiles} from './helpers/fixtures.js'
import {call, inferenceClient} from './helpers/grpc-client.js'
import {request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const XGB = {copy: path.join(MUSHROOM_DIR, 'model.json')}
const good = (name: string): RepoFiles => ({[`${name}/model-settings.json`]: JSON.stringify({implementation: 'xgboost'}), [`${name}/model.json`]: XGB})
const broken: RepoFiles = {'broken/model-settings.json': JSON.stringify({implementation: 'xgboost', max_batch_size: 'many'})}
/** A runtime whose load() waits until a file named "go" appears beside it (at most 60 s): start-up in progress, for as long as the test wants. */
const gated: RepoFiles = {
  'gated/model-settings.json': JSON.stringify({implementation: './runtime.js'}),
  'gated/runtime.js': `
import {existsSync} from 'node:fs'
export default {
  async load() {
    const go = new URL('./go', import.meta.url)
    for (let i = 0; i < 1200 && !existsSync(go); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  },
  predict(request) {
    return {outputs: request.inputs}
  },
}
`,
}

const HEALTH = (() => {
  const definition = protoLoader.loadSync(fileURLToPath(new URL('../../proto/health.proto', import.meta.url)), {keepCase: true, enums: String})
  return (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health
})()

interface Probes {
  live: number
  rest: number
  grpc: boolean
  health: string
}

/** Every probe at once. */
async function probe(server: MlsProcess): Promise<Probes> {
  const client = inferenceClient(server.grpcAddress)
  const health = new HEALTH(server.grpcAddress, grpc.credentials.createInsecure())
  try {
    return {
      live: (await request(server.url + '/v2/health/live')).status,
      rest: (await request(server.url + '/v2/health/ready')).status,
      grpc: (await call(client, 'ServerReady', {})).ready,
      health: (await call(health, 'Check', {service: ''})).status,
    }
  } finally {
    client.close()
    health.close()
  }
}

const READY: Probes = {live: 200, rest: 200, grpc: true, health: 'SERVING'}
const NOT_READY: Probes = {live: 200, rest: 503, grpc: false, health: 'NOT_SERVING'}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function serve(files: RepoFiles, options: {args?: string[]; waitLoaded?: boolean} = {}): Promise<{server: MlsProcess; dir: string}> {
  const repo = makeRepo(files)
  cleanups.push(repo.cleanup)
  const server = await startMls(repo.dir, options)
  cleanups.push(() => server.stop())
  return {server, dir: repo.dir}
}

const table: Array<{state: string; files: RepoFiles; args?: string[]; expected: Probes}> = [
  {state: 'one READY model', files: good('a'), expected: READY},
  {state: 'zero models', files: {'README.txt': 'no models here'}, expected: NOT_READY},
  {state: 'a failed model beside a READY one', files: {...good('a'), ...broken}, expected: READY},
  {state: 'a failed model beside a READY one, strict_readiness', files: {...good('a'), ...broken}, args: ['--strict-readiness'], expected: NOT_READY},
  {state: 'every model READY, strict_readiness', files: {...good('a'), ...good('b')}, args: ['--strict-readiness'], expected: READY},
  {state: 'only a failed model', files: broken, expected: NOT_READY},
  {state: 'nothing loaded at start-up (--no-load-models-at-startup)', files: good('a'), args: ['--no-load-models-at-startup'], expected: NOT_READY},
]

describe('readiness, on every probe alike', () => {
  for (const row of table) {
    it(`${row.state}: ${row.expected.rest === 200 ? 'ready' : 'not ready'}`, async () => {
      const {server} = await serve(row.files, {args: row.args})
      expect(await probe(server)).toEqual(row.expected)
    })
  }

  it('start-up loading in progress: not ready (but live) until it finishes, then ready; Watch streams the change', async () => {
    const {server, dir} = await serve({...good('a'), ...gated}, {waitLoaded: false})
    // "a" may well be READY already: readiness still waits for start-up loading to finish.
    expect(await probe(server)).toEqual(NOT_READY)
    const health = new HEALTH(server.grpcAddress, grpc.credentials.createInsecure())
    cleanups.push(() => health.close())
    const seen: string[] = []
    const watch = health.Watch({service: ''})
    cleanups.push(() => watch.cancel())
    const serving = new Promise<void>((resolve) =>
      watch.on('data', (message: {status: string}) => {
        seen.push(message.status)
        if (message.status === 'SERVING') resolve()
      }),
    )
    watch.on('error', () => undefined)
    expect(await probe(server)).toEqual(NOT_READY)
    writeFileSync(path.join(dir, 'gated/go'), '')
    await serving
    expect(seen).toEqual(['NOT_SERVING', 'SERVING'])
    expect(await probe(server)).toEqual(READY)
  })

  it('the last READY model unloaded: not ready; loaded again: ready', async () => {
    const {server} = await serve(good('a'))
    expect((await request(server.url + '/v2/repository/models/a/unload', {method: 'POST'})).status).toBe(200)
    expect(await probe(server)).toEqual(NOT_READY)
    expect((await request(server.url + '/v2/repository/models/a/load', {method: 'POST'})).status).toBe(200)
    expect(await probe(server)).toEqual(READY)
  })
})
