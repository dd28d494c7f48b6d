/**
 * The lines that say the server is up, written by one function whichever way it runs: one process (server/index.ts)
 * or the primary of `mls start --processes N` (cluster/primary.ts), which prints them once for all its processes.
 * Tools and tests read these lines (the URLs, `start-up loading finished`): keep their wording.
 */
import type {Logger} from '../logger.js'
import type {ModelState} from '../protocol/types.js'

/** Where the server listens and what it serves. */
export interface ListeningInfo {
  readonly restUrl: string
  readonly grpcAddress: string
  readonly tls: boolean
  /** The metrics endpoint's URL, when one is served. */
  readonly metricsUrl?: string
  /** The repository API needs a bearer token. */
  readonly repositoryAuth: boolean
  readonly repositoryRoot: string
}

/** The start-up lines, to be printed once per server: a cluster worker leaves them to the primary. */
export const STARTUP_LINE = /^(REST server listening on|gRPC server listening on|metrics listening on|model repository:|start-up loading finished|repository API \(index, load, unload\) needs)/

/**
 * The start-up lines one at a time, for a single process that says each as it happens (a listener bound): the same
 * words as logListening, which prints them all at once for the primary of `--processes N`.
 */
export const startupLine = {
  rest: (logger: Logger, url: string): void => logger.info(`REST server listening on ${url}`),
  grpc: (logger: Logger, address: string, tls: boolean): void => logger.info(`gRPC server listening on ${address}${tls ? ' (TLS)' : ''}`),
  auth: (logger: Logger): void => logger.info('repository API (index, load, unload) needs the bearer token (repository_auth_token)'),
  metrics: (logger: Logger, url: string): void => logger.info(`metrics listening on ${url}`),
  repository: (logger: Logger, root: string): void => logger.info(`model repository: ${root}`),
}

/** Says where the server listens (REST, gRPC, metrics), whether the repository API needs a token, and the repository. */
export function logListening(logger: Logger, info: ListeningInfo): void {
  startupLine.rest(logger, info.restUrl)
  startupLine.grpc(logger, info.grpcAddress, info.tls)
  if (info.repositoryAuth) startupLine.auth(logger)
  if (info.metricsUrl !== undefined) startupLine.metrics(logger, info.metricsUrl)
  startupLine.repository(logger, info.repositoryRoot)
}

/** "2 of 3 model version(s) ready", and " (server NOT ready)" when readiness is false. */
export function loadSummary(entries: ReadonlyArray<{readonly state: ModelState}>, serverReady: boolean): string {
  const ready = entries.filter((e) => e.state === 'READY').length
  return `${ready} of ${entries.length} model version(s) ready${serverReady ? '' : ' (server NOT ready)'}`
}

/** The line that ends start-up: tools wait for it, then expect the whole start-up log. */
export function logLoaded(logger: Logger, summary: string): void {
  logger.info(`start-up loading finished: ${summary}`)
}

/**
 * Waits for start-up loading to settle. A failure (the repository could not be read, say) is logged with the
 * repository and the cause instead of thrown: the server goes on with what it has, and says so.
 */
export async function settleStartupLoading(loaded: Promise<unknown>, logger: Logger, repositoryRoot: string): Promise<void> {
  try {
    await loaded
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error)
    logger.error(`start-up loading of ${repositoryRoot} failed: ${cause}`, {event: 'startup_load_failed', path: repositoryRoot, reason: cause})
  }
}
