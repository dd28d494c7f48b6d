/** A self-signed certificate for 127.0.0.1, made by openssl for the test that asks (never committed). */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

export interface Certificate {
  readonly dir: string
  /** PEM certificate (its own CA: trust it with --ca). */
  readonly cert: string
  /** PEM private key. */
  readonly key: string
  cleanup(): void
}

export function makeCertificate(commonName = '127.0.0.1'): Certificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'mls-cert-'))
  const cert = path.join(dir, 'cert.pem')
  const key = path.join(dir, 'key.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=IP:${commonName}`,
    '-keyout', key, '-out', cert,
  ], {stdio: 'ignore'})
  return {dir, cert, key, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}
