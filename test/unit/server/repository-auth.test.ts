/** The repository API's bearer-token guard. */
import {describe, expect, it} from 'vitest'
import {RepositoryAuth, bearerToken, repositoryAuth, wwwAuthenticate} from '../../../src/server/repository-auth.js'

describe('RepositoryAuth', () => {
  const auth = new RepositoryAuth('s3cret-token')

  it('lets the right token through, in any case of the scheme', () => {
    expect(auth.check('Bearer s3cret-token')).toBeUndefined()
    expect(auth.check('bearer   s3cret-token ')).toBeUndefined()
  })

  it('tells a missing token from a wrong one (RFC 6750 challenge), both UNAUTHENTICATED', () => {
    for (const header of [undefined, '', 'Basic czNjcmV0LXRva2Vu', 'Bearer']) {
      const refused = auth.check(header)
      expect(refused?.failure, String(header)).toBe('missing')
      expect(refused?.error.code).toBe('UNAUTHENTICATED')
      expect(refused?.error.message).toMatch(/needs a bearer token: send "Authorization: Bearer <token>"/)
    }
    for (const header of ['Bearer s3cret-toke', 'Bearer s3cret-token2', 'Bearer S3CRET-TOKEN']) {
      expect(auth.check(header)?.failure, header).toBe('invalid')
    }
    expect(wwwAuthenticate('missing')).toBe('Bearer realm="mls"')
    expect(wwwAuthenticate('invalid')).toBe('Bearer realm="mls", error="invalid_token"')
  })

  it('parses the header and is off without a token', () => {
    expect(bearerToken('Bearer abc')).toBe('abc')
    expect(bearerToken('Bearer a b')).toBeUndefined()
    expect(repositoryAuth(null)).toBeUndefined()
  })
})
