/** Where a client command finds the repository API token and the CA to trust. */
import {writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {CliError} from '../../../src/cli/cli-error.js'
import {connectionCause, resolveCredentials} from '../../../src/client/credentials.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

describe('resolveCredentials', () => {
  const dir = tempFolder('mls-cred-')
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({repository_auth_token: 'from-file', ssl_certfile: 'only-the-server-has-it.pem', ssl_keyfile: 'k.pem'}))
  writeFileSync(path.join(dir, 'ca.pem'), 'PEM')

  it('takes the token from --token, then MLS_REPOSITORY_AUTH_TOKEN, then settings.json (whose TLS files it never reads)', () => {
    expect(resolveCredentials({token: 'flag', env: {MLS_REPOSITORY_AUTH_TOKEN: 'env'}, cwd: dir}).token).toBe('flag')
    expect(resolveCredentials({env: {MLS_REPOSITORY_AUTH_TOKEN: 'env'}, cwd: dir}).token).toBe('env')
    expect(resolveCredentials({env: {}, cwd: dir}).token).toBe('from-file')
    expect(resolveCredentials({env: {}, repo: dir, cwd: tmpdir()}).token).toBe('from-file')
    expect(resolveCredentials({env: {}, cwd: tempFolder('mls-cred-none-')})).toEqual({token: undefined, ca: undefined})
  })

  it('reads the CA from --ca or MLS_CA_FILE; an unreadable one is a usage error naming it', () => {
    expect(resolveCredentials({ca: 'ca.pem', env: {}, cwd: dir}).ca?.toString()).toBe('PEM')
    expect(resolveCredentials({env: {MLS_CA_FILE: path.join(dir, 'ca.pem')}, cwd: tmpdir()}).ca?.toString()).toBe('PEM')
    const error = (() => {
      try {
        resolveCredentials({ca: 'missing.pem', env: {}, cwd: dir})
      } catch (thrown) {
        return thrown as CliError
      }
    })()
    expect(error).toBeInstanceOf(CliError)
    expect(error?.exitCode).toBe(2)
    expect(error?.message).toBe('--ca: cannot read missing.pem (ENOENT)')
  })

  it('says what to do about an untrusted certificate', () => {
    expect(connectionCause(Object.assign(new Error('x'), {code: 'DEPTH_ZERO_SELF_SIGNED_CERT'}))).toBe(
      "DEPTH_ZERO_SELF_SIGNED_CERT: the server's TLS certificate is not trusted; pass its CA with --ca FILE (or MLS_CA_FILE, or NODE_EXTRA_CA_CERTS)",
    )
    expect(connectionCause(Object.assign(new Error('x'), {code: 'ECONNREFUSED'}))).toBe('ECONNREFUSED')
  })
})
