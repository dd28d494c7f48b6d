/**
 * The CLI finds the server, and start-up says what to do next (issue 18, items 3 and 4): each `mls start` leaves a
 * runtime file in MLS_RUNTIME_DIR; client commands with no --url, env or settings.json find the one running server
 * from any folder, ask which when several run, ignore a server killed with SIGKILL; `mls ps` lists them; the file is
 * gone after SIGTERM. Start-up ends with a banner (URLs, counts, next commands), warns when there is no model, and
 * `mls start` with no DIR refuses a folder that is not a model repository. Real processes, real HTTP.
 */
import {existsSync, readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {tempFolders} from '../temp-folders.js'
import {MNIST_DIR, MUSHROOM_DIR, makeRepo} from './helpers/fixtures.js'
import {REPO_ROOT, runMls, startMls, type MlsProcess} from './helpers/mls-process.js'

const tempFolder = tempFolders()
const cleanups: Array<() => void> = []
const started: MlsProcess[] = []
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL')))
  cleanups.forEach((c) => c())
})

/** A repository copy of one example model (no settings.json: nothing but the runtime file says where it is served). */
function repoOf(model: 'mnist_sklearn' | 'mushroom_xgboost', extra: Record<string, string> = {}): string {
  const repo = makeRepo({[`models/${model}`]: {copy: model === 'mnist_sklearn' ? MNIST_DIR : MUSHROOM_DIR}, ...extra})
  cleanups.push(repo.cleanup)
  return repo.dir
}

async function start(dir: string, env: Record<string, string>, args: string[] = []): Promise<MlsProcess> {
  const server = await startMls(dir, {env, args})
  started.push(server)
  return server
}

interface PsEntry {
  pid: number
  rest_url: string
  grpc_address: string
  metrics_url?: string
  docs_url: string
  repository_root: string
  started_at: string
  mls_version: string
  process_started?: string
  file: string
}

const ps = async (env: Record<string, string>): Promise<PsEntry[]> => {
  const {code, stdout} = await runMls(['ps', '--json'], env)
  expect(code).toBe(0)
  return JSON.parse(stdout) as PsEntry[]
}

describe('the CLI finds the dev server', () => {
  it('from another folder, repo list finds the one server; two: exit 2 listing both; kill -9: ignored; SIGTERM: the file is gone', async () => {
    const runtime = path.join(tempFolder('mls-rt-'), 'runtime')
    const env = {MLS_RUNTIME_DIR: runtime}
    const elsewhere = tempFolder('mls-cwd-')
    // Discovery skips node_modules and dot-folders: a model-settings.json there is never served.
    const a = repoOf('mnist_sklearn', {'node_modules/pkg/model-settings.json': '{}', '.cache/model-settings.json': '{}'})
    const first = await start(a, env)

    const one = await runMls(['repo', 'list'], env, {cwd: elsewhere})
    expect(one.code).toBe(0)
    expect(one.stdout).toMatch(/^NAME +VERSION +STATE +REASON\nmnist_sklearn +v1\.0\.0 +READY\n$/)
    const grpc = await runMls(['repo', 'list', '--grpc', '--json'], env, {cwd: elsewhere})
    expect(grpc.code).toBe(0)
    expect(JSON.parse(grpc.stdout)).toEqual([expect.objectContaining({name: 'mnist_sklearn', state: 'READY'})])

    // The runtime file: private to the user, its content what `mls ps --json` shows.
    const listed = await ps(env)
    expect(listed).toEqual([
      {
        pid: first.child.pid,
        rest_url: first.url,
        grpc_address: first.grpcAddress,
        metrics_url: first.metricsUrl,
        docs_url: `${first.url}/v2/docs`,
        repository_root: a,
        started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        mls_version: '0.1.0',
        process_started: expect.stringMatching(/^\d+$/),
        file: path.join(runtime, `mls-${first.child.pid}.json`),
      },
    ])
    expect(statSync(runtime).mode & 0o777).toBe(0o700)
    expect(statSync(listed[0].file).mode & 0o777).toBe(0o600)
    const table = await runMls(['ps'], env)
    expect(table.stdout).toMatch(new RegExp(`^PID +REST +GRPC +REPOSITORY +STARTED +VERSION\\n${first.child.pid} +${first.url} +${first.grpcAddress} +${a} +(now|\\d+ s ago) +0\\.1\\.0\\n$`))

    const b = repoOf('mushroom_xgboost')
    const second = await start(b, env)
    const two = await runMls(['repo', 'list'], env, {cwd: elsewhere})
    expect(two.code).toBe(2)
    expect(two.stderr).toMatch(/^Error: 2 mls servers are running; say which with --url \(or --grpc-url\)/)
    expect(two.stderr).toContain(`  ${first.url}  pid ${first.child.pid}  ${a}\n`)
    expect(two.stderr).toContain(`  ${second.url}  pid ${second.child.pid}  ${b}\n`)
    // Inside a server's repository, that server.
    const inside = await runMls(['repo', 'list'], env, {cwd: path.join(b, 'models', 'mushroom_xgboost')})
    expect(inside.code).toBe(0)
    expect(inside.stdout).toMatch(/^mushroom_xgboost +v2\.0\.0 +READY$/m)
    expect(inside.stdout).not.toContain('mnist_sklearn')
    expect((await ps(env)).map((s) => s.pid)).toEqual([first.child.pid, second.child.pid])

    // kill -9 leaves a stale file: not listed, removed by the reader, and the one left is found again.
    expect(await second.stop('SIGKILL')).toBe(null)
    expect(existsSync(path.join(runtime, `mls-${second.child.pid}.json`))).toBe(true)
    expect((await ps(env)).map((s) => s.pid)).toEqual([first.child.pid])
    expect(existsSync(path.join(runtime, `mls-${second.child.pid}.json`))).toBe(false)
    const again = await runMls(['infer', '-m', 'mnist_sklearn', '--data', JSON.stringify(Array(64).fill(0)), '--json'], env, {cwd: elsewhere})
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({model_name: 'mnist_sklearn'})

    // SIGTERM: the file is gone; then the default address, and the error says where it came from.
    expect(await first.stop('SIGTERM')).toBe(0)
    expect(readdirSync(runtime)).toEqual([])
    expect(await ps(env)).toEqual([])
    expect((await runMls(['ps'], env)).stdout).toBe('no mls server is running (for this user)\n')
    const none = await runMls(['repo', 'list'], {...env, MLS_URL: ''}, {cwd: elsewhere})
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(
      /^Error: cannot reach an mls server at http:\/\/127\.0\.0\.1:8080 \(ECONNREFUSED\); the address came from the default \(no --url, MLS_URL, settings\.json or running mls start found\)\. Start one with/,
    )
  }, 90_000)

  it('with --processes 2 only the primary writes the runtime file', async () => {
    const runtime = path.join(tempFolder('mls-rt-'), 'runtime')
    const env = {MLS_RUNTIME_DIR: runtime}
    const server = await start(repoOf('mnist_sklearn'), env, ['--processes', '2'])
    const listed = await ps(env)
    expect(listed.map((s) => [s.pid, s.rest_url])).toEqual([[server.child.pid, server.url]])
    await server.expectLog(/ready: 1 of 1 model version\(s\) ready, 0 failed\n {2}REST {5}http/)
    expect(await server.stop('SIGTERM')).toBe(0)
    expect(readdirSync(runtime)).toEqual([])
  })
})

describe('start-up that tells you what to do next', () => {
  it('ends with one short banner: REST, gRPC, metrics and Swagger UI URLs, counts, next commands', async () => {
    const env = {MLS_RUNTIME_DIR: path.join(tempFolder('mls-rt-'), 'runtime')}
    const server = await start(repoOf('mnist_sklearn'), env)
    await server.expectLog('next     mls repo list · mls monitor · mls ps')
    const banner = server.logs().slice(server.logs().indexOf('start-up loading finished'))
    expect(banner).toMatch(
      new RegExp(
        [
          `\\[mls\\] INFO {2}ready: 1 of 1 model version\\(s\\) ready, 0 failed`,
          ` {2}REST {5}${server.url}`,
          ` {2}gRPC {5}${server.grpcAddress}`,
          ` {2}metrics {2}${server.metricsUrl}`,
          ` {2}docs {5}${server.url}/v2/docs {2}\\(Swagger UI\\)`,
          ` {2}next {5}mls repo list · mls monitor · mls ps\\n`,
        ].join('\\n'),
      ),
    )
    // The URL it prints opens Swagger UI.
    const docs = await fetch(`${server.url}/v2/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toMatch(/swagger/i)
    await server.stop()
  })

  it('with structured logging, one JSON line with the same facts', async () => {
    const env = {MLS_RUNTIME_DIR: path.join(tempFolder('mls-rt-'), 'runtime'), MLS_USE_STRUCTURED_LOGGING: 'true'}
    const server = await start(repoOf('mnist_sklearn'), env)
    await server.expectLog('"event":"ready"')
    const line = server.logs().split('\n').find((l) => l.includes('"event":"ready"'))!
    expect(JSON.parse(line)).toMatchObject({
      level: 'info',
      msg: 'ready',
      rest_url: server.url,
      grpc_address: server.grpcAddress,
      metrics_url: server.metricsUrl,
      docs_url: `${server.url}/v2/docs`,
      models_total: 1,
      models_ready: 1,
      models_failed: 0,
    })
    await server.stop()
  })

  it('no model-settings.json below DIR: a warning that says so and suggests mls init', async () => {
    const env = {MLS_RUNTIME_DIR: path.join(tempFolder('mls-rt-'), 'runtime')}
    const empty = tempFolder('mls-empty-')
    const server = await start(empty, env)
    await server.expectLog(`WARN  no model-settings.json found below ${empty}: there is nothing to serve. Write one with \`mls init ${empty}\``)
    await server.expectLog('ready: 0 of 0 model version(s) ready, 0 failed')
    await server.stop()
  })

  it('mls start with no DIR in a folder that is not a model repository: exit 2, what to type instead, nothing served', async () => {
    const env = {MLS_RUNTIME_DIR: path.join(tempFolder('mls-rt-'), 'runtime')}
    // The clone itself: models only in examples, test fixtures, bench and templates.
    const clone = await runMls(['start', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0'], env, {cwd: REPO_ROOT})
    expect(clone.code).toBe(2)
    expect(clone.stderr).toMatch(new RegExp(`^mls start: ${REPO_ROOT.replace(/\/$/, '')} does not look like a model repository: it has no settings\\.json, and no model-settings\\.json in it or up to 3 folders below`))
    expect(clone.stderr).toContain('\n  mls start examples/multi-model\n')
    expect(clone.stderr).toContain('\n  mls init\n')
    expect(clone.stderr).toContain('\n  mls start .\n')
    expect(clone.stdout + clone.stderr).not.toMatch(/listening on/)

    // A project whose models are only in node_modules, test and a dot-folder.
    const project = makeRepo({
      'package.json': '{}',
      'node_modules/pkg/models/m/model-settings.json': '{}',
      'test/fixtures/m/model-settings.json': '{}',
      '.hidden/model-settings.json': '{}',
    })
    cleanups.push(project.cleanup)
    const refused = await runMls(['start', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0'], env, {cwd: project.dir})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('does not look like a model repository')
    expect(refused.stderr).toContain('\n  mls start <dir>')
    expect(existsSync(env.MLS_RUNTIME_DIR)).toBe(false)
  })
})
