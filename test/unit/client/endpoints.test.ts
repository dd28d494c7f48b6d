import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {resolveEndpoints} from '../../../src/client/endpoints.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

const repoWith = (settings: unknown) => {
  const dir = tempFolder('mls-ep-')
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings))
  return dir
}

describe('resolveEndpoints', () => {
  it('defaults to MLServer\'s ports on 127.0.0.1', () => {
    expect(resolveEndpoints({env: {}, cwd: tempFolder('mls-ep-')})).toEqual({
      rest: 'http://127.0.0.1:8080',
      grpc: '127.0.0.1:8081',
      metrics: 'http://127.0.0.1:8082/metrics',
    })
  })

  it('reads the ports of settings.json in the current folder or --repo, always on 127.0.0.1', () => {
    const dir = repoWith({host: '0.0.0.0', http_port: 9080, grpc_port: 9081, metrics_port: 9082, metrics_endpoint: '/m'})
    expect(resolveEndpoints({env: {}, cwd: dir})).toEqual({rest: 'http://127.0.0.1:9080', grpc: '127.0.0.1:9081', metrics: 'http://127.0.0.1:9082/m'})
    expect(resolveEndpoints({env: {}, repo: dir}).rest).toBe('http://127.0.0.1:9080')
  })

  it('env beats settings.json, flags beat env', () => {
    const dir = repoWith({http_port: 9080})
    const env = {MLS_URL: 'http://env:1/', MLS_GRPC_URL: 'env:2', MLS_METRICS_URL: 'http://env:3/metrics'}
    expect(resolveEndpoints({env, cwd: dir})).toEqual({rest: 'http://env:1', grpc: 'env:2', metrics: 'http://env:3/metrics'})
    expect(resolveEndpoints({env, cwd: dir, url: 'http://flag:4', grpcUrl: 'grpc://flag:5'})).toMatchObject({rest: 'http://flag:4', grpc: 'flag:5'})
  })

  it('a broken settings.json is a usage error naming it', () => {
    const dir = repoWith({http_port: 'x'})
    expect(() => resolveEndpoints({env: {}, cwd: dir})).toThrow(/cannot read the server's ports: .*settings\.json: http_port: expected number, found "x"/)
  })
})
