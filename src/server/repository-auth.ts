/**
 * Bearer-token authentication of the repository API (index, load, unload), on when `repository_auth_token` is set:
 * load and unload on an open port would let anyone switch models off. Both transports ask the same guard; the token
 * comes as `Authorization: Bearer <token>` (REST header, gRPC metadata key `authorization`). Tokens are compared in
 * constant time (as SHA-256 digests, so neither their content nor their length leaks through timing).
 */
import {createHash, timingSafeEqual} from 'node:crypto'
import {MlsError} from '../errors.js'

/** What the guard found wrong: no token at all, or one that does not match. */
export type AuthFailure = 'missing' | 'invalid'

/** The value of a `WWW-Authenticate` header for a failure (RFC 6750). */
export function wwwAuthenticate(failure: AuthFailure): string {
  return failure === 'missing' ? 'Bearer realm="mls"' : 'Bearer realm="mls", error="invalid_token"'
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

/** The token of an `Authorization: Bearer <token>` value; undefined when absent or another scheme. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  return match?.[1]
}

export class RepositoryAuth {
  private readonly expected: Buffer

  constructor(token: string) {
    this.expected = digest(token)
  }

  /** undefined when `authorization` carries the token; otherwise the failure and the error to answer with. */
  check(authorization: string | undefined): {failure: AuthFailure; error: MlsError} | undefined {
    const token = bearerToken(authorization)
    if (token !== undefined && timingSafeEqual(digest(token), this.expected)) return undefined
    if (token === undefined) {
      return {
        failure: 'missing',
        error: new MlsError(
          'UNAUTHENTICATED',
          'the repository API needs a bearer token: send "Authorization: Bearer <token>" (the mls CLI: --token or MLS_REPOSITORY_AUTH_TOKEN)',
        ),
      }
    }
    return {failure: 'invalid', error: new MlsError('UNAUTHENTICATED', 'the bearer token is not the repository API token')}
  }
}

/** The guard for `repository_auth_token`, or none when it is unset. */
export function repositoryAuth(token: string | null): RepositoryAuth | undefined {
  return token === null ? undefined : new RepositoryAuth(token)
}
