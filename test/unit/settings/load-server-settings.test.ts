import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {SettingsError} from '../../../src/errors.js'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

function folderWith(settings?: unknown): string {
  const dir = tempFolder('mls-settings-')
  if (settings !== undefined) writeFileSync(path.join(dir, 'settings.json'), typeof settings === 'string' ? settings : JSON.stringify(settings))
  return dir
}

describe('loadServerSettings', () => {
  it('has MLServer\'s defaults (parallel_workers 0 in mls) and makes the root absolute', () => {
    const dir = folderWith()
    const {settings, file} = loadServerSettings({root: dir, env: {}})
    expect(file).toBeUndefined()
    expect(settings).toMatchObject({
      debug: false,
      host: '0.0.0.0',
      http_port: 8080,
      grpc_port: 8081,
      metrics_port: 8082,
      metrics_endpoint: '/metrics',
      parallel_workers: 0,
      load_models_at_startup: true,
      strict_readiness: false,
      max_request_size: 64 * 1024 * 1024,
      max_queue_size: 0,
      infer_timeout: 0,
      shutdown_grace_period: 30,
      model_repository_root: dir,
    })
    expect(Object.isFrozen(settings)).toBe(true)
  })

  it('coerces MLServer\'s "true"/"false" strings and numeric strings', () => {
    const {settings} = loadServerSettings({root: folderWith({debug: 'true', http_port: '9000', load_models_at_startup: 'false'}), env: {}})
    expect(settings.debug).toBe(true)
    expect(settings.http_port).toBe(9000)
    expect(settings.load_models_at_startup).toBe(false)
  })

  it('applies flags > MLS_ env > MLSERVER_ env > file > defaults', () => {
    const root = folderWith({http_port: 1000, grpc_port: 1001, metrics_port: 1002, host: 'file-host'})
    const env = {MLSERVER_HTTP_PORT: '2000', MLS_HTTP_PORT: '3000', MLSERVER_GRPC_PORT: '2001', MLS_HOST: 'env-host'}
    const {settings} = loadServerSettings({root, env, flags: {host: 'flag-host', metrics_port: undefined}})
    expect(settings.http_port).toBe(3000)
    expect(settings.grpc_port).toBe(2001)
    expect(settings.metrics_port).toBe(1002)
    expect(settings.host).toBe('flag-host')
    expect(settings.server_name).toBe('mls')
  })

  it('reads JSON env values for list fields and null for nullable ones', () => {
    const {settings} = loadServerSettings({root: folderWith(), env: {MLS_EXTENSIONS: '["a","b"]', MLS_METRICS_ENDPOINT: 'null'}})
    expect(settings.extensions).toEqual(['a', 'b'])
    expect(settings.metrics_endpoint).toBeNull()
  })

  it('resolves model_repository_root relative to the settings file, unless DIR is given', () => {
    const root = folderWith({model_repository_root: 'models'})
    // settings.json is read from cwd when no DIR is given
    expect(loadServerSettings({cwd: root, env: {}}).settings.model_repository_root).toBe(path.join(root, 'models'))
    expect(loadServerSettings({root, env: {}}).settings.model_repository_root).toBe(root)
  })

  it('names the file, the field, what was expected and what was found', () => {
    const root = folderWith({http_port: 'eighty', max_request_size: -5})
    expect(() => loadServerSettings({root, env: {}})).toThrow(SettingsError)
    try {
      loadServerSettings({root, env: {}})
    } catch (error) {
      const message = (error as Error).message
      expect(message).toContain(`${path.join(root, 'settings.json')}: http_port: expected number, found "eighty"`)
      expect(message).toContain(`${path.join(root, 'settings.json')}: max_request_size: Too small: expected number to be >=1 (found -5)`)
    }
  })

  it('names the env var or flag a bad value came from', () => {
    expect(() => loadServerSettings({root: folderWith(), env: {MLS_DEBUG: 'maybe'}})).toThrow(
      'environment variable MLS_DEBUG: expected boolean, found "maybe"',
    )
    expect(() => loadServerSettings({root: folderWith(), env: {}, flags: {http_port: 70000}})).toThrow(/flag --http-port: Too big/)
  })

  it('reports malformed JSON and a non-object file', () => {
    expect(() => loadServerSettings({root: folderWith('{"debug": '), env: {}})).toThrow(/settings\.json: not valid JSON/)
    expect(() => loadServerSettings({root: folderWith('[1]'), env: {}})).toThrow(/settings\.json: expected a JSON object, found an array/)
  })

  it('warns about unknown keys with a did-you-mean, and accepts MLServer-only keys silently', () => {
    const {warnings} = loadServerSettings({root: folderWith({grpc_prot: 1, kafka_enabled: false, totally_new: 1}), env: {}})
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(/unknown key "grpc_prot" \(did you mean "grpc_port"\?\)/)
    expect(warnings[1]).toMatch(/unknown key "totally_new"; it is ignored/)
  })

  it('reads the limits from the file, the environment and flags, and refuses negative ones naming where they came from', () => {
    const dir = folderWith({max_queue_size: 8, infer_timeout: 2.5})
    const {settings} = loadServerSettings({root: dir, env: {MLS_SHUTDOWN_GRACE_PERIOD: '0.5'}, flags: {infer_timeout: '1.5'}})
    expect(settings).toMatchObject({max_queue_size: 8, infer_timeout: 1.5, shutdown_grace_period: 0.5})
    expect(() => loadServerSettings({root: dir, env: {MLS_MAX_QUEUE_SIZE: '-1'}})).toThrow(/environment variable MLS_MAX_QUEUE_SIZE: /)
    expect(() => loadServerSettings({root: dir, env: {}, flags: {shutdown_grace_period: 'soon'}})).toThrow(/flag --shutdown-grace-period: /)
  })
})
