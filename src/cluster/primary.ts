/**
 * The primary of `mls start --processes N`: forks N workers that share the REST and gRPC ports (node:cluster), loads
 * no model itself, serves the metrics port with every worker's metrics aggregated, and carries each repository
 * load/unload to every worker. A worker that dies is replaced; SIGINT/SIGTERM stops the workers gracefully.
 */
import cluster, {type Worker} from 'node:cluster'
import {AggregatorRegistry} from 'prom-client'
import type {Logger} from '../logger.js'
import {gracefulStop} from '../server/graceful-stop.js'
import {startMetricsServer, type MetricsServer} from '../server/metrics/server.js'
import {tlsEnabled, type ServerSettings} from '../settings/server-settings.js'
import {isMlsMessage, SETTINGS_ENV, WORKER_ENV, type PrimaryMessage, type WorkerMessage} from './messages.js'
import {resolvePorts} from './ports.js'
import {RepositoryBroadcast} from './broadcast.js'

/** A worker that dies sooner than this after its start is replaced after RESPAWN_DELAY_MS, not at once. */
const MIN_LIFETIME_MS = 5000
const RESPAWN_DELAY_MS = 1000

interface Slot {
  readonly number: number
  worker: Worker
  startedAt: number
  loaded: boolean
}

/** Runs the primary until a signal has stopped every worker; when the first workers cannot start, stops them all with exit code 1. */
export async function runClusterPrimary(settings: ServerSettings, logger: Logger): Promise<void> {
  const n = settings.processes
  const [httpPort, grpcPort] = await resolvePorts(settings.host, [settings.http_port, settings.grpc_port])
  const workerSettings: ServerSettings = {...settings, http_port: httpPort, grpc_port: grpcPort}
  let metricsServer: MetricsServer | undefined
  if (settings.metrics_endpoint !== null) {
    const aggregator = new AggregatorRegistry()
    const source = {text: () => aggregator.clusterMetrics(), contentType: aggregator.contentType}
    metricsServer = await startMetricsServer(source, {host: settings.host, port: settings.metrics_port, path: settings.metrics_endpoint})
  }

  const slots: Slot[] = []
  const broadcast = new RepositoryBroadcast(logger, () => slots.filter((s) => s.worker.isConnected()).map((s) => ({number: s.number, pid: s.worker.process.pid, send: (m: PrimaryMessage) => s.worker.send(m)})))
  let stopping = false
  let announced = false
  let startupFailure: ((error: Error) => void) | undefined
  const startupFailed = new Promise<never>((_, reject) => (startupFailure = reject))
  let exitedAll: () => void = () => {}
  const exited = new Promise<void>((resolve) => (exitedAll = resolve))

  const fork = (slot: Omit<Slot, 'worker' | 'startedAt' | 'loaded'>, replacement: boolean): Slot => {
    const worker = cluster.fork({[WORKER_ENV]: String(slot.number), [SETTINGS_ENV]: JSON.stringify(workerSettings)})
    const current: Slot = {...slot, worker, startedAt: Date.now(), loaded: false}
    worker.on('message', (message: unknown) => {
      if (!isMlsMessage(message)) return
      const m = message as WorkerMessage
      if (m.type === 'mls:listening' && !announced) {
        announced = true
        logger.info(`REST server listening on ${m.restUrl}`)
        logger.info(`gRPC server listening on ${m.grpcAddress}${tlsEnabled(settings) ? ' (TLS)' : ''}`)
        if (metricsServer) logger.info(`metrics listening on ${metricsServer.url}`)
        if (settings.repository_auth_token !== null) logger.info('repository API (index, load, unload) needs the bearer token (repository_auth_token)')
        logger.info(`model repository: ${settings.model_repository_root}`)
      } else if (m.type === 'mls:loaded') {
        current.loaded = true
        logger.debug(`process ${slot.number} (pid ${worker.process.pid}) loaded: ${m.summary}`)
        if (replacement) broadcast.replay(current.number)
        else if (slots.every((s) => s.loaded)) {
          // In this order: tools wait for the start-up line and then expect the whole start-up log.
          logger.info(`${n} processes ready`)
          logger.info(`start-up loading finished: ${m.summary}`)
        }
      } else if (m.type === 'mls:failed') {
        if (replacement) logger.error(`process ${slot.number} cannot start: ${m.message}`)
        else startupFailure?.(new Error(m.message))
      } else if (m.type === 'mls:repo') {
        void broadcast.run(m.op, m.name).then((error) => worker.send({type: 'mls:repo-result', id: m.id, error} satisfies PrimaryMessage))
      } else if (m.type === 'mls:repo-done') {
        broadcast.done(slot.number, m.id, m.error)
      }
    })
    worker.on('exit', (code, signal) => {
      broadcast.gone(slot.number)
      if (stopping) {
        // A process whose shutdown grace period ran out exits 1: so does the whole server.
        if (code !== 0 && code !== null) process.exitCode = code
        if (slots.every((s) => s.worker.isDead())) exitedAll()
        return
      }
      const lived = Date.now() - current.startedAt
      logger.warn(`process ${slot.number} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}): starting a replacement`)
      setTimeout(() => {
        if (!stopping) slots[slot.number - 1] = fork(slot, true)
      }, lived < MIN_LIFETIME_MS ? RESPAWN_DELAY_MS : 0)
    })
    return current
  }

  for (let i = 1; i <= n; i++) slots.push(fork({number: i}, false))
  const stopAll = async () => {
    stopping = true
    for (const slot of slots) if (slot.worker.isConnected()) slot.worker.send({type: 'mls:stop'} satisfies PrimaryMessage)
    if (slots.every((s) => s.worker.isDead())) exitedAll()
    await exited
    await metricsServer?.close()
  }
  const stop = gracefulStop({close: stopAll}, logger)
  startupFailed.catch((error: Error) => {
    logger.error(`cannot start: ${error.message}`)
    process.exitCode = 1
    void stop.stop('start-up failed')
  })
  await stop.stopped
}
