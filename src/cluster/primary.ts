/**
 * The primary of `mls start --processes N`: forks N workers that share the REST and gRPC ports (node:cluster), loads
 * no model itself, serves the metrics port with every worker's metrics aggregated, and carries each repository
 * load/unload to every worker. A worker that dies is replaced (worker-slot.ts); SIGINT/SIGTERM stops the workers
 * gracefully.
 */
import cluster, {type Worker} from 'node:cluster'
import {AggregatorRegistry, Registry} from 'prom-client'
import type {Logger} from '../logger.js'
import {gracefulStop} from '../server/graceful-stop.js'
import {startMetricsServer, type MetricsServer} from '../server/metrics/server.js'
import type {ModelCounts} from '../server/ready-banner.js'
import {logListening, logLoaded} from '../server/startup-log.js'
import {tlsEnabled, type ServerSettings} from '../settings/server-settings.js'
import {RepositoryBroadcast, type BroadcastTarget} from './broadcast.js'
import {ClusterGather} from './gather.js'
import {rescueHandoffs} from './handoff-rescue.js'
import {isMlsMessage, REPLACEMENT_ENV, SETTINGS_ENV, WORKER_ENV, type PrimaryMessage, type WorkerMessage} from './messages.js'
import {resolvePorts} from './ports.js'
import {WorkerSlot} from './worker-slot.js'

/** Where the cluster listens, once the first process says so. */
export interface ClusterAddresses {
  readonly restUrl: string
  readonly grpcAddress: string
  readonly metricsUrl?: string
}

/** What the caller hears of the cluster's life (mls start: the runtime file and the ready banner). */
export interface ClusterHooks {
  /** The first process listens (every process listens on the same ports). */
  readonly onListening?: (at: ClusterAddresses) => void
  /** Every first process has loaded; `counts` are the last one's (each process serves every model). */
  readonly onReady?: (at: ClusterAddresses, counts: ModelCounts) => void
  /** The stop begins. */
  readonly onStopping?: () => void
}

/** Runs the primary until a signal has stopped every worker; when the first workers cannot start, stops them all with exit code 1. */
export async function runClusterPrimary(settings: ServerSettings, logger: Logger, hooks: ClusterHooks = {}): Promise<void> {
  const n = settings.processes
  const [httpPort, grpcPort] = await resolvePorts(settings.host, [settings.http_port, settings.grpc_port])
  const workerSettings: ServerSettings = {...settings, http_port: httpPort, grpc_port: grpcPort}
  let metricsServer: MetricsServer | undefined
  if (settings.metrics_endpoint !== null) {
    // Every serving process's metrics, combined by each family's aggregator (aggregators.ts). A process not serving
    // yet, or not answering within 5 s, is left out of the answer rather than failing it.
    const text = async () => {
      const part = await gather.ask('metrics')
      return AggregatorRegistry.aggregate([part.kind === 'metrics' ? part.metrics : []]).metrics()
    }
    const source = {text, contentType: Registry.PROMETHEUS_CONTENT_TYPE}
    metricsServer = await startMetricsServer(source, {host: settings.host, port: settings.metrics_port, path: settings.metrics_endpoint})
  }

  const slots: WorkerSlot[] = []
  // Only processes that serve take part: one still starting would drop the message (it gets the journal once loaded).
  const serving = (): BroadcastTarget[] =>
    slots.filter((s) => s.listening && s.worker.isConnected()).map((s) => ({number: s.number, pid: s.worker.process.pid, send: (m: PrimaryMessage) => s.worker.send(m)}))
  const broadcast = new RepositoryBroadcast(logger, serving)
  // The index, the statistics and the metrics are the server's: read from every serving process and merged.
  const gather = new ClusterGather(serving)
  let stopping = false
  let released = false
  let announced: ClusterAddresses | undefined
  let startupFailure: ((error: Error) => void) | undefined
  const startupFailed = new Promise<never>((_, reject) => (startupFailure = reject))
  let exitedAll: () => void = () => {}
  const exited = new Promise<void>((resolve) => (exitedAll = resolve))

  /** What a worker's message asks of the primary. */
  const route = (slot: WorkerSlot, worker: Worker, m: WorkerMessage): void => {
    switch (m.type) {
      case 'mls:listening':
        slot.markListening()
        // Every process listens on the same ports: the first to say so speaks for all.
        if (announced) return
        announced = {restUrl: m.restUrl, grpcAddress: m.grpcAddress, metricsUrl: metricsServer?.url}
        logListening(logger, {
          restUrl: m.restUrl,
          grpcAddress: m.grpcAddress,
          tls: tlsEnabled(settings),
          metricsUrl: metricsServer?.url,
          repositoryAuth: settings.repository_auth_token !== null,
          repositoryRoot: settings.model_repository_root,
        })
        hooks.onListening?.(announced)
        return
      case 'mls:loaded':
        slot.markLoaded()
        logger.debug(`process ${slot.number} (pid ${worker.process.pid}) loaded: ${m.summary}`)
        // Readiness is held in the first processes until every place has a process that has loaded (a replacement
        // of one that died during start-up included): one ready process would say so for the whole server.
        const allLoaded = slots.every((s) => s.loaded)
        if (!released && allLoaded) {
          released = true
          for (const s of slots) if (s.worker.isConnected()) s.worker.send({type: 'mls:all-loaded'} satisfies PrimaryMessage)
        }
        if (slot.replacement) broadcast.replay(slot.number)
        else if (allLoaded) {
          // In this order: tools wait for the start-up line and then expect the whole start-up log.
          logger.info(`${n} processes ready`)
          logLoaded(logger, m.summary)
          if (announced !== undefined) hooks.onReady?.(announced, m.counts)
        }
        return
      case 'mls:failed':
        if (slot.replacement) logger.error(`process ${slot.number} cannot start: ${m.message}`)
        else startupFailure?.(new Error(m.message))
        return
      case 'mls:repo':
        void broadcast.run(m.op, m.name).then((error) => worker.send({type: 'mls:repo-result', id: m.id, error} satisfies PrimaryMessage))
        return
      case 'mls:repo-done':
        broadcast.done(slot.number, m.id, m.error)
        return
      case 'mls:gather':
        void gather.ask(m.kind).then((part) => worker.isConnected() && worker.send({type: 'mls:gather-result', id: m.id, part} satisfies PrimaryMessage))
        return
      case 'mls:gather-part':
        gather.part(slot.number, m.id, m.part)
        return
    }
  }

  const exit = (slot: WorkerSlot, worker: Worker, code: number | null, signal: string | null): void => {
    broadcast.gone(slot.number)
    gather.gone(slot.number)
    if (stopping) {
      // A process whose shutdown grace period ran out exits 1: so does the whole server.
      if (code !== 0 && code !== null) process.exitCode = code
      if (slots.every((s) => s.dead)) exitedAll()
      return
    }
    const delay = slot.replaceLater()
    const when = delay === 0 ? '' : ` in ${delay / 1000} s`
    logger.warn(`process ${slot.number} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}): starting a replacement${when}`)
  }

  const fork = (slot: WorkerSlot): Worker => {
    const env: Record<string, string> = {[WORKER_ENV]: String(slot.number), [SETTINGS_ENV]: JSON.stringify(workerSettings)}
    if (slot.replacement) env[REPLACEMENT_ENV] = '1'
    const worker = cluster.fork(env)
    // A connection handed to this process that it never took, because it died, goes to a process that serves.
    rescueHandoffs(worker, () => slots.some((s) => s !== slot && s.listening && !s.dead && s.worker.isConnected()))
    // node:cluster sends its own messages on the same channel.
    worker.on('message', (message: unknown) => isMlsMessage(message) && route(slot, worker, message as WorkerMessage))
    worker.on('exit', (code, signal) => exit(slot, worker, code, signal))
    return worker
  }

  for (let i = 1; i <= n; i++) slots.push(new WorkerSlot(i, fork))
  for (const slot of slots) slot.start()
  const stopAll = async () => {
    stopping = true
    for (const slot of slots) {
      slot.cancel()
      if (!slot.worker.isConnected()) continue
      // A process still starting would drop the message: a signal stops it (gracefully once it has its handlers).
      if (slot.listening) slot.worker.send({type: 'mls:stop'} satisfies PrimaryMessage)
      else slot.worker.process.kill('SIGTERM')
    }
    if (slots.every((s) => s.dead)) exitedAll()
    await exited
    await metricsServer?.close()
  }
  const stop = gracefulStop({close: stopAll}, logger)
  if (hooks.onStopping !== undefined) stop.onStopping(hooks.onStopping)
  startupFailed.catch((error: Error) => {
    logger.error(`cannot start: ${error.message}`)
    process.exitCode = 1
    void stop.stop('start-up failed')
  })
  await stop.stopped
}
