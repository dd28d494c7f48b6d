/**
 * `mls start`'s side of the runtime file: written once the server listens, removed when it begins to stop (a stopping
 * server refuses new requests, so no client should pick it any more) and, whatever else happens, on process exit.
 * A runtime file that cannot be written costs only the discovery: it is logged, never fatal.
 */
import {rmSync} from 'node:fs'
import type {Logger} from '../logger.js'
import {DOCS_PREFIX} from '../server/docs/docs-urls.js'
import {loopbackAddress, loopbackUrl} from './loopback.js'
import {processStartOf} from './process-start.js'
import {runtimeDir} from './runtime-dir.js'
import {writeRuntimeFile, type RuntimeInfo} from './runtime-file.js'

/** Where a server listens, as the server knows it. */
export interface ListeningServer {
  readonly restUrl: string
  /** host:port */
  readonly grpcAddress: string
  readonly tls: boolean
  readonly metricsUrl?: string
  readonly repositoryRoot: string
  readonly version: string
}

/** The runtime file's content for this process serving `server`. */
export function runtimeInfoOf(server: ListeningServer, now = new Date()): RuntimeInfo {
  const rest = loopbackUrl(server.restUrl)
  const started = processStartOf(process.pid)
  return {
    pid: process.pid,
    rest_url: rest,
    grpc_address: `${server.tls ? 'grpcs://' : ''}${loopbackAddress(server.grpcAddress)}`,
    ...(server.metricsUrl === undefined ? {} : {metrics_url: loopbackUrl(server.metricsUrl)}),
    docs_url: `${rest}${DOCS_PREFIX}`,
    repository_root: server.repositoryRoot,
    started_at: now.toISOString(),
    mls_version: server.version,
    ...(started === undefined ? {} : {process_started: started}),
  }
}

/** A written runtime file; `remove` may be called any number of times. */
export interface PublishedRuntimeFile {
  /** Undefined when it could not be written. */
  readonly file?: string
  remove(): void
}

/** Writes this process's runtime file and arranges its removal on exit. */
export function publishRuntimeFile(server: ListeningServer, logger: Pick<Logger, 'debug' | 'warn'>, env: NodeJS.ProcessEnv = process.env): PublishedRuntimeFile {
  const dir = runtimeDir(env)
  let file: string | undefined
  try {
    file = writeRuntimeFile(dir, runtimeInfoOf(server))
  } catch (error) {
    logger.warn(`cannot write the runtime file in ${dir} (clients will not find this server without --url): ${(error as Error).message}`)
    return {remove: () => {}}
  }
  logger.debug(`runtime file: ${file}`)
  let removed = false
  const remove = (): void => {
    if (removed) return
    removed = true
    process.off('exit', remove)
    rmSync(file, {force: true})
  }
  process.on('exit', remove)
  return {file, remove}
}
