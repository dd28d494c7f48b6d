/**
 * Server settings at start-up on the built CLI: MLServer's settings.json, env over file, flags over env, warnings in the
 * log, and settings errors that stop start-up with a message naming the file and field. What a model repository
 * serves (broken models, pickles, versions, readiness) is tested in-process (test/integration/repository.test.ts).
 */
import net from 'node:net'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {MUSHROOM_DIR, makeRepo, type RepoFiles} from './helpers/fixtures.js'
import {request} from './helpers/http.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'

const XGB = {copy: path.join(MUSHROOM_DIR, 'model.json')}
const settings = (value: unknown) => JSON.stringify(value)

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function serve(files: RepoFiles, args: string[] = [], env: Record<string, string> = {}): Promise<{server: MlsProcess; dir: string}> {
  const repo = makeRepo(files)
  cleanups.push(repo.cleanup)
  const server = await startMls(repo.dir, {args, env})
  cleanups.push(() => server.stop())
  return {server, dir: repo.dir}
}

describe('server settings at start-up', () => {
  it('MLServer\'s settings.json loads unchanged ("debug": "true"), env overrides the file, flags override env', async () => {
    const {server} = await serve(
      {
        'settings.json': settings({debug: 'true', server_name: 'from-file', http_port: 1, parallel_workers: 1}),
        'm/model-settings.json': settings({implementation: 'xgboost'}),
        'm/model.json': XGB,
      },
      ['--server-name', 'from-flag'],
      {MLS_SERVER_NAME: 'from-env'},
    )
    expect((await request(server.url + '/v2')).body.name).toBe('from-flag')
    await server.expectLog(/DEBUG/) // debug on from the file's "true"
  })

  it('env overrides the file', async () => {
    const {server} = await serve(
      {'settings.json': settings({server_name: 'from-file'}), 'm/model-settings.json': settings({implementation: 'xgboost'}), 'm/model.json': XGB},
      [],
      {MLSERVER_SERVER_NAME: 'from-mlserver-env'},
    )
    expect((await request(server.url + '/v2')).body.name).toBe('from-mlserver-env')
  })

  it('an unknown key warns with a did-you-mean', async () => {
    const {server} = await serve({'settings.json': settings({htp_port: 1}), 'm/model-settings.json': settings({implementation: 'xgboost'}), 'm/model.json': XGB})
    await server.expectLog(/settings\.json: unknown key "htp_port" \(did you mean "http_port"\?\)/)
  })

  it('a wrong type in settings.json stops start-up with exit code 2, naming file, field, expected and found', async () => {
    const repo = makeRepo({'settings.json': settings({http_port: 'eighty'})})
    cleanups.push(repo.cleanup)
    const {code, output} = await runMls(['start', repo.dir])
    expect(code).toBe(2)
    expect(output).toMatch(/settings\.json: http_port: expected number, found "eighty"/)
  })

  it('a port in use stops start-up with exit code 1 and names the setting', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const repo = makeRepo({})
      cleanups.push(repo.cleanup)
      const {code, output} = await runMls(['start', repo.dir, '--host', '127.0.0.1', '--http-port', String(port), '--grpc-port', '0'])
      expect(code).toBe(1)
      expect(output).toContain(`cannot start: REST address 127.0.0.1:${port} is already in use (set http_port, MLS_HTTP_PORT or --http-port)`)
    } finally {
      blocker.close()
    }
  })

  it('a bad env value names the variable', async () => {
    const repo = makeRepo({})
    cleanups.push(repo.cleanup)
    const {code, output} = await runMls(['start', repo.dir], {MLS_HTTP_PORT: '99999'})
    expect(code).toBe(2)
    expect(output).toMatch(/environment variable MLS_HTTP_PORT: Too big: expected number to be <=65535 \(found "99999"\)/)
  })
})
