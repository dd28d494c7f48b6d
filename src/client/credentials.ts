/**
 * What a client shows a secured server: the repository API's bearer token and the CA certificate(s) to trust for
 * https:// and grpcs://. In this order: flags (--token, --ca); env MLS_REPOSITORY_AUTH_TOKEN (the server's own
 * variable) and MLS_CA_FILE; the token of settings.json in --repo DIR or the current folder. Without a CA file the
 * system's roots are trusted, plus NODE_EXTRA_CA_CERTS.
 */
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {usageError} from '../cli/cli-error.js'
import {SettingsError} from '../errors.js'
import {loadServerSettings} from '../settings/load-server-settings.js'

export interface ClientCredentials {
  /** Sent as `Authorization: Bearer <token>` (gRPC metadata `authorization`). */
  readonly token?: string
  /** PEM CA certificate(s) trusted instead of the system's roots. */
  readonly ca?: Buffer
}

export interface CredentialSources {
  readonly token?: string
  /** Path of a PEM CA file. */
  readonly ca?: string
  readonly repo?: string
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

function tokenOfSettings(repo: string, cwd: string): string | undefined {
  if (!existsSync(path.join(repo, 'settings.json'))) return undefined
  try {
    return loadServerSettings({root: repo, env: {}, cwd, checkFiles: false}).settings.repository_auth_token ?? undefined
  } catch (error) {
    if (error instanceof SettingsError) return undefined // resolveEndpoints reports a broken settings.json
    throw error
  }
}

export function resolveCredentials(sources: CredentialSources = {}): ClientCredentials {
  const env = sources.env ?? process.env
  const cwd = sources.cwd ?? process.cwd()
  const repo = sources.repo === undefined ? cwd : path.resolve(cwd, sources.repo)
  const token = sources.token || env.MLS_REPOSITORY_AUTH_TOKEN || tokenOfSettings(repo, cwd)
  const caFile = sources.ca ?? (env.MLS_CA_FILE || undefined)
  let ca: Buffer | undefined
  if (caFile !== undefined) {
    const where = sources.ca === undefined ? 'MLS_CA_FILE' : '--ca'
    try {
      ca = readFileSync(path.resolve(cwd, caFile))
    } catch (error) {
      throw usageError(`${where}: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
    }
  }
  return {token: token || undefined, ca}
}

/** A TLS verification failure's codes (Node / OpenSSL): the server's certificate is not trusted. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/

/** Why a connection failed, in a few words; for an untrusted certificate, also what to do. */
export function connectionCause(error: unknown): string {
  const e = error as NodeJS.ErrnoException
  const code = e.code ?? e.message
  if (UNTRUSTED.test(code)) return `${code}: the server's TLS certificate is not trusted; pass its CA with --ca FILE (or MLS_CA_FILE, or NODE_EXTRA_CA_CERTS)`
  return code
}
