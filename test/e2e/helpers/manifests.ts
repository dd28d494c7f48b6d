/** deploy/'s manifests for the e2e tests: the documents of a file, and a container's environment as it would run here. */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {parseAllDocuments} from 'yaml'
import {IMAGE_ENV} from '../../../src/deploy/image.js'
import {freePort} from './container.js'
import {REPO_ROOT} from './mls-process.js'

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Doc = Record<string, any>

/** Every document of deploy/<file>, as plain objects. */
export function readManifests(file: string): Doc[] {
  return parseAllDocuments(readFileSync(path.join(REPO_ROOT, 'deploy', file), 'utf8')).map((d) => d.toJS() as Doc)
}

/**
 * What mls sees in the container: the image's ENV, then the container's env (each value through `localize`), with
 * loopback instead of 0.0.0.0 and free ports instead of the manifest's. `ports` maps the manifest's ports to them.
 */
export async function containerEnv(container: Doc, localize: (value: string) => string): Promise<{env: Record<string, string>; ports: Map<number, number>}> {
  const env: Record<string, string> = {...IMAGE_ENV}
  for (const {name, value} of container.env ?? []) env[name] = localize(String(value))
  const ports = new Map<number, number>()
  for (const name of ['MLS_HTTP_PORT', 'MLS_GRPC_PORT', 'MLS_METRICS_PORT']) {
    const port = await freePort()
    ports.set(Number(env[name]), port)
    env[name] = String(port)
  }
  env.MLS_HOST = '127.0.0.1'
  return {env, ports}
}
