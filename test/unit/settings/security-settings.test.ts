/** The security fields of settings.json: defaults, paths, the TLS pair check, and the token kept out of logs. */
import {copyFileSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import {redactSettings, tlsEnabled} from '../../../src/settings/server-settings.js'
import {makeCertificate} from '../../e2e/helpers/certificate.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

const certificate = makeCertificate()
afterAll(() => certificate.cleanup())

function folderWith(settings?: unknown): string {
  const dir = tempFolder('mls-security-')
  if (settings !== undefined) writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings))
  return dir
}

describe('security settings', () => {
  it('are all off by default', () => {
    const {settings} = loadServerSettings({root: folderWith(), env: {}})
    expect(settings).toMatchObject({allow_external_uris: false, repository_auth_token: null, ssl_certfile: null, ssl_keyfile: null, cors_settings: null})
    expect(tlsEnabled(settings)).toBe(false)
  })

  it('reads the TLS files relative to settings.json, and the token from the environment', () => {
    const dir = folderWith({ssl_certfile: 'tls/cert.pem', ssl_keyfile: 'tls/key.pem', allow_external_uris: 'true'})
    const tls = path.join(dir, 'tls')
    mkdirSync(tls)
    copyFileSync(certificate.cert, path.join(tls, 'cert.pem'))
    copyFileSync(certificate.key, path.join(tls, 'key.pem'))
    const {settings} = loadServerSettings({root: dir, env: {MLS_REPOSITORY_AUTH_TOKEN: 's3cret'}})
    expect(settings).toMatchObject({ssl_certfile: path.join(tls, 'cert.pem'), ssl_keyfile: path.join(tls, 'key.pem'), repository_auth_token: 's3cret', allow_external_uris: true})
    expect(tlsEnabled(settings)).toBe(true)
    expect(JSON.stringify(redactSettings(settings))).not.toContain('s3cret')
    expect(redactSettings(settings).repository_auth_token).toBe('(set)')
  })

  it('warns about a short token, without printing it', () => {
    const {warnings} = loadServerSettings({root: folderWith(), env: {MLS_REPOSITORY_AUTH_TOKEN: 'abc'}})
    expect(warnings).toEqual(['environment variable MLS_REPOSITORY_AUTH_TOKEN: the token is 3 characters long; use a long random one, e.g. `openssl rand -hex 32`'])
    expect(loadServerSettings({root: folderWith(), env: {MLS_REPOSITORY_AUTH_TOKEN: 'x'.repeat(16)}}).warnings).toEqual([])
  })

  it('needs both ssl_certfile and ssl_keyfile, naming where the one given came from', () => {
    const dir = folderWith({ssl_certfile: certificate.cert})
    expect(() => loadServerSettings({root: dir, env: {}})).toThrow(`${path.join(dir, 'settings.json')}: ssl_certfile: TLS needs both ssl_certfile and ssl_keyfile; ssl_keyfile is not set`)
    expect(() => loadServerSettings({root: folderWith(), env: {MLS_SSL_KEYFILE: certificate.key}})).toThrow(
      'environment variable MLS_SSL_KEYFILE: TLS needs both ssl_certfile and ssl_keyfile; ssl_certfile is not set',
    )
  })

  it('names the field and the file that is missing, and refuses files that are no certificate and key', () => {
    const dir = folderWith()
    const flags = {ssl_certfile: 'nope.pem', ssl_keyfile: certificate.key}
    expect(() => loadServerSettings({root: dir, env: {}, cwd: dir, flags})).toThrow(`flag --ssl-certfile: ${path.join(dir, 'nope.pem')} does not exist; expected a PEM certificate file`)
    expect(() => loadServerSettings({root: dir, env: {}, flags: {ssl_certfile: certificate.cert, ssl_keyfile: dir}})).toThrow(`flag --ssl-keyfile: ${dir} is not a file`)
    writeFileSync(path.join(dir, 'garbage.pem'), 'not a key')
    expect(() => loadServerSettings({root: dir, env: {}, flags: {ssl_certfile: certificate.cert, ssl_keyfile: path.join(dir, 'garbage.pem')}})).toThrow(
      /^flag --ssl-certfile \(.*cert\.pem\) and flag --ssl-keyfile \(.*garbage\.pem\): expected a PEM certificate and its private key; /,
    )
    // A client that only reads the ports does not check the files (the key may be the server's alone).
    expect(loadServerSettings({root: dir, env: {}, cwd: dir, flags, checkFiles: false}).settings.ssl_certfile).toBe(path.join(dir, 'nope.pem'))
  })

  it('validates cors_settings with MLServer\'s field names', () => {
    const dir = folderWith({cors_settings: {allow_origins: ['https://app.example'], allow_origin_regex: '(', max_age: 'x'}})
    expect(() => loadServerSettings({root: dir, env: {}})).toThrow(/cors_settings\.allow_origin_regex: expected a regular expression/)
    expect(() => loadServerSettings({root: dir, env: {}})).toThrow(/cors_settings\.max_age/)
  })
})
