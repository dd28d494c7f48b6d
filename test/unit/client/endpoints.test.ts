import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {resolveEndpoints} from '../../../src/client/endpoints.js'
import {writeRuntimeFile} from '../../../src/running/runtime-file.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

/** A runtime folder with no server in it. */
const none = path.join(tempFolder('mls-ep-none-'), 'runtime')

const repoWith = (settings: unknown) => {
  const dir = tempFolder('mls-ep-')
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings))
  return dir
}

describe('resolveEndpoints', () => {
  it('defaults to MLServer\'s ports on 127.0.0.1', () => {
    expect(resolveEndpoints({env: {}, cwd: tempFolder('mls-ep-'), runtimeDir: none})).toMatchObject({
      rest: 'http://127.0.0.1:8080',
      grpc: '127.0.0.1:8081',
      metrics: 'http://127.0.0.1:8082/metrics',
      origin: {rest: 'the default (no --url, MLS_URL, settings.json or running mls start found)'},
    })
  })

  it('reads the ports of settings.json in the current folder or --repo, always on 127.0.0.1', () => {
    const dir = repoWith({host: '0.0.0.0', http_port: 9080, grpc_port: 9081, metrics_port: 9082, metrics_endpoint: '/m'})
    expect(resolveEndpoints({env: {}, cwd: dir, runtimeDir: none})).toMatchObject({
      rest: 'http://127.0.0.1:9080',
      grpc: '127.0.0.1:9081',
      metrics: 'http://127.0.0.1:9082/m',
      origin: {rest: 'the ports of ./settings.json'},
    })
    expect(resolveEndpoints({env: {}, repo: dir, runtimeDir: none}).rest).toBe('http://127.0.0.1:9080')
  })

  it('env beats settings.json, flags beat env', () => {
    const dir = repoWith({http_port: 9080})
    const env = {MLS_URL: 'http://env:1/', MLS_GRPC_URL: 'env:2', MLS_METRICS_URL: 'http://env:3/metrics'}
    expect(resolveEndpoints({env, cwd: dir, runtimeDir: none})).toMatchObject({
      rest: 'http://env:1',
      grpc: 'env:2',
      metrics: 'http://env:3/metrics',
      origin: {rest: 'env MLS_URL', grpc: 'env MLS_GRPC_URL', metrics: 'env MLS_METRICS_URL'},
    })
    expect(resolveEndpoints({env, cwd: dir, url: 'http://flag:4', grpcUrl: 'grpc://flag:5', runtimeDir: none})).toMatchObject({
      rest: 'http://flag:4',
      grpc: 'flag:5',
      origin: {rest: '--url', grpc: '--grpc-url'},
    })
  })

  it('a broken settings.json is a usage error naming it', () => {
    const dir = repoWith({http_port: 'x'})
    expect(() => resolveEndpoints({env: {}, cwd: dir, runtimeDir: none})).toThrow(/cannot read the server's ports: .*settings\.json: http_port: expected number, found "x"/)
  })
})

describe('resolveEndpoints with running servers (runtime files)', () => {
  /** A pid that is never alive: above Linux's largest pid_max (2^22). */
  const DEAD = 4_194_305
  const server = (dir: string, pid: number, root: string, port: number) =>
    writeRuntimeFile(dir, {
      pid,
      rest_url: `http://127.0.0.1:${port}`,
      grpc_address: `127.0.0.1:${port + 1}`,
      metrics_url: `http://127.0.0.1:${port + 2}/metrics`,
      docs_url: `http://127.0.0.1:${port}/v2/docs`,
      repository_root: root,
      started_at: new Date(pid === process.pid ? 1000 : 2000).toISOString(),
      mls_version: '0.1.0',
    })

  it('uses the one running server from any folder, and says which runtime file gave the address', () => {
    const runtime = tempFolder('mls-rt-')
    const repo = tempFolder('mls-repo-')
    const file = server(runtime, process.pid, repo, 41000)
    const found = resolveEndpoints({env: {}, cwd: tempFolder('mls-elsewhere-'), runtimeDir: runtime})
    expect(found).toMatchObject({rest: 'http://127.0.0.1:41000', grpc: '127.0.0.1:41001', metrics: 'http://127.0.0.1:41002/metrics', repositoryRoot: repo})
    expect(found.origin.rest).toBe(`the runtime file of pid ${process.pid} (${file}, serving ${repo})`)
  })

  it('ignores and removes a stale file (its pid gone); a flag or env address skips the runtime files', () => {
    const runtime = tempFolder('mls-rt-')
    const stale = server(runtime, DEAD, tempFolder('mls-repo-'), 42000)
    expect(resolveEndpoints({env: {}, cwd: tempFolder('mls-elsewhere-'), runtimeDir: runtime}).rest).toBe('http://127.0.0.1:8080')
    expect(existsSync(stale)).toBe(false)
    server(runtime, process.pid, tempFolder('mls-repo-'), 41000)
    expect(resolveEndpoints({env: {MLS_URL: 'http://env:1'}, runtimeDir: runtime, needs: ['rest']}).rest).toBe('http://env:1')
  })

  it('of several: the one whose repository holds the folder, else a usage error listing them; --repo only counts servers on it', () => {
    const runtime = tempFolder('mls-rt-')
    const a = tempFolder('mls-repo-a-')
    const b = tempFolder('mls-repo-b-')
    mkdirSync(path.join(b, 'models', 'm'), {recursive: true})
    server(runtime, process.pid, a, 41000)
    server(runtime, process.ppid, b, 43000)
    expect(resolveEndpoints({env: {}, cwd: path.join(b, 'models', 'm'), runtimeDir: runtime}).rest).toBe('http://127.0.0.1:43000')
    expect(resolveEndpoints({env: {}, cwd: a, runtimeDir: runtime}).rest).toBe('http://127.0.0.1:41000')
    let error: unknown
    try {
      resolveEndpoints({env: {}, cwd: tempFolder('mls-elsewhere-'), runtimeDir: runtime})
    } catch (e) {
      error = e
    }
    expect(error).toMatchObject({exitCode: 2})
    expect((error as Error).message).toMatch(/^2 mls servers are running; say which with --url/)
    expect((error as Error).message).toContain(`  http://127.0.0.1:41000  pid ${process.pid}  ${a}`)
    expect((error as Error).message).toContain(`  http://127.0.0.1:43000  pid ${process.ppid}  ${b}`)
    // A named repository never gets another repository's server: the default instead.
    expect(resolveEndpoints({env: {}, repo: tempFolder('mls-other-'), runtimeDir: runtime}).rest).toBe('http://127.0.0.1:8080')
  })

  it('settings.json here: its ports, unless a server runs on this very folder (then its runtime file, ports chosen as 0 included)', () => {
    const runtime = tempFolder('mls-rt-')
    const repo = repoWith({http_port: 9080})
    server(runtime, process.ppid, tempFolder('mls-other-'), 43000)
    expect(resolveEndpoints({env: {}, cwd: repo, runtimeDir: runtime})).toMatchObject({rest: 'http://127.0.0.1:9080', origin: {rest: 'the ports of ./settings.json'}})
    server(runtime, process.pid, repo, 41000)
    expect(resolveEndpoints({env: {}, cwd: repo, runtimeDir: runtime}).rest).toBe('http://127.0.0.1:41000')
  })
})
