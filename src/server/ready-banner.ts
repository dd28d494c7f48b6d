/**
 * What `mls start` says once start-up is over, after the start-up lines tools read (startup-log.ts): one short block
 * with the addresses a user opens next (REST, gRPC, metrics, Swagger UI), how many model versions are ready or
 * failed, and the commands to try. With use_structured_logging it is one JSON line with the same facts as fields.
 * A repository with no model at all gets a warning that says what to do instead.
 */
import type {Logger} from '../logger.js'
import type {ModelState} from '../protocol/types.js'
import {loopbackAddress, loopbackUrl} from '../running/loopback.js'
import {DOCS_PREFIX} from './docs/docs-urls.js'

/** Model versions by how start-up left them. */
export interface ModelCounts {
  readonly total: number
  readonly ready: number
  /** UNAVAILABLE: the load failed (the reason is in the log and the index). */
  readonly failed: number
}

export function modelCounts(entries: ReadonlyArray<{readonly state: ModelState}>): ModelCounts {
  return {
    total: entries.length,
    ready: entries.filter((e) => e.state === 'READY').length,
    failed: entries.filter((e) => e.state === 'UNAVAILABLE').length,
  }
}

/** The server as the banner shows it. */
export interface ReadyInfo {
  readonly restUrl: string
  readonly grpcAddress: string
  readonly metricsUrl?: string
  readonly repositoryRoot: string
  readonly counts: ModelCounts
}

/** The banner's text (human log format): a headline and indented lines, URLs a browser or client on this machine can use. */
export function readyBanner(info: ReadyInfo): string {
  const {total, ready, failed} = info.counts
  const rest = loopbackUrl(info.restUrl)
  const others = total - ready - failed
  const lines = [
    `ready: ${ready} of ${total} model version(s) ready, ${failed} failed${others > 0 ? `, ${others} not loaded yet` : ''}`,
    `  REST     ${rest}`,
    `  gRPC     ${loopbackAddress(info.grpcAddress)}`,
    ...(info.metricsUrl === undefined ? [] : [`  metrics  ${loopbackUrl(info.metricsUrl)}`]),
    `  docs     ${rest}${DOCS_PREFIX}  (Swagger UI)`,
    `  next     mls repo list · mls monitor · mls ps${failed > 0 ? '   (why a model failed: mls repo list)' : ''}`,
  ]
  return lines.join('\n')
}

/** The warning when nothing was found to serve. */
export function noModelsWarning(root: string): string {
  return `no model-settings.json found below ${root}: there is nothing to serve. Write one with \`mls init ${root}\` (or add models/<name>/model-settings.json), or serve the example: \`mls start examples/multi-model\``
}

/** Logs the banner (and the warning when there is no model). `structured`: one JSON line instead of the block. */
export function logReady(logger: Logger, info: ReadyInfo, structured: boolean): void {
  if (info.counts.total === 0) logger.warn(noModelsWarning(info.repositoryRoot), {event: 'no_models', path: info.repositoryRoot})
  if (!structured) return logger.info(readyBanner(info))
  const rest = loopbackUrl(info.restUrl)
  logger.info('ready', {
    event: 'ready',
    rest_url: rest,
    grpc_address: loopbackAddress(info.grpcAddress),
    metrics_url: info.metricsUrl === undefined ? undefined : loopbackUrl(info.metricsUrl),
    docs_url: `${rest}${DOCS_PREFIX}`,
    models_total: info.counts.total,
    models_ready: info.counts.ready,
    models_failed: info.counts.failed,
  })
}
