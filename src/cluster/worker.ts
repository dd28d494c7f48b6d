/**
 * A worker process of `mls start --processes N`: serves every model on the shared REST and gRPC ports, sends its
 * metrics to the primary (it binds no metrics port), and sends repository load/unload to the primary, which has every
 * process do it.
 */
import type {RepositoryCoordinator} from '../dataplane/dataplane.js'
import {MlsError, toMlsError} from '../errors.js'
import {createLogger, type LogFields, type Logger} from '../logger.js'
import {gracefulStop} from '../server/graceful-stop.js'
import {startServer} from '../server/index.js'
import {loadSummary, settleStartupLoading, STARTUP_LINE} from '../server/startup-log.js'
import {modelCounts} from '../server/ready-banner.js'
import type {ServerSettings} from '../settings/server-settings.js'
import {applyAggregators} from './aggregators.js'
import {isMlsMessage, REPLACEMENT_ENV, SETTINGS_ENV, WORKER_ENV, type GatherKind, type GatherPart, type PrimaryMessage, type RepositoryOp, type WireError, type WorkerMessage} from './messages.js'

/** True in a process forked by the primary of `mls start --processes N`. */
export function isClusterWorker(): boolean {
  return process.env[WORKER_ENV] !== undefined && process.send !== undefined
}

const send = (message: WorkerMessage) => process.send!(message)
const toWire = (error: unknown): WireError => {
  const mls = toMlsError(error)
  return {code: mls.code, message: mls.message}
}

/** Every line carries the process number and pid; the start-up lines, which the primary prints once, are left out. */
function workerLogger(base: Logger, number: number): Logger {
  const fields = (extra?: LogFields): LogFields => ({...extra, process: number, pid: process.pid})
  const info = (message: string, extra?: LogFields) => void (STARTUP_LINE.test(message) || base.info(message, fields(extra)))
  return {
    debugEnabled: base.debugEnabled,
    debug: (m, f) => base.debug(m, fields(f)),
    info,
    warn: (m, f) => base.warn(m, fields(f)),
    error: (m, f) => base.error(m, fields(f)),
    child: (f) => workerLogger(base.child(f), number),
  }
}

/** Runs this worker until the primary (or a signal) stops it; settings come from the primary through the environment. */
export async function runClusterWorker(): Promise<void> {
  const settings = JSON.parse(process.env[SETTINGS_ENV]!) as ServerSettings
  const number = Number(process.env[WORKER_ENV])
  const logger = workerLogger(createLogger({debug: settings.debug, structured: settings.use_structured_logging}), number)

  let next = 0
  const pending = new Map<number, {resolve: () => void; reject: (error: Error) => void}>()
  const ask = (op: RepositoryOp, name: string) =>
    new Promise<void>((resolve, reject) => {
      const id = next++
      pending.set(id, {resolve, reject})
      send({type: 'mls:repo', id, op, name})
    })
  const gathers = new Map<number, {resolve: (part: GatherPart) => void; reject: (error: Error) => void}>()
  const gather = <K extends GatherKind>(kind: K) =>
    new Promise<Extract<GatherPart, {kind: K}>>((resolve, reject) => {
      const id = next++
      gathers.set(id, {resolve: (part) => (part.kind === kind ? resolve(part as Extract<GatherPart, {kind: K}>) : reject(new Error(`expected ${kind}, got ${part.kind}`))), reject})
      send({type: 'mls:gather', id, kind})
    })
  const coordinator = (): RepositoryCoordinator => ({
    load: (name) => ask('load', name),
    unload: (name) => ask('unload', name),
    index: async () => (await gather('index')).items,
    statistics: async () => (await gather('stats')).stats,
  })

  // The first processes listen at once, as one process does (liveness answers, readiness is false until loaded); a
  // replacement listens once it has loaded: until then the processes that serve take every connection, and none is
  // given to a process that would answer 404 for a model it has not loaded yet.
  const replacement = process.env[REPLACEMENT_ENV] !== undefined
  let server
  try {
    server = await startServer(settings, logger, {coordinator, serveMetrics: false, listenAfterLoading: replacement, holdReadiness: !replacement})
  } catch (error) {
    send({type: 'mls:failed', message: (error as Error).message})
    process.exit(1)
  }
  // How the primary combines each family when it serves every process's metrics.
  if (server.metrics) applyAggregators(server.metrics.registry)
  const running = server
  const stop = gracefulStop(running, logger)
  process.on('message', (message: unknown) => {
    if (!isMlsMessage(message)) return
    const m = message as PrimaryMessage
    switch (m.type) {
      case 'mls:stop':
        void stop.stop('asked by the primary')
        return
      case 'mls:all-loaded':
        running.dataplane.releaseReadiness()
        return
      case 'mls:repo-result': {
        // The answer to an operation this process asked the primary to carry to every process.
        const waiter = pending.get(m.id)
        pending.delete(m.id)
        if (m.error) waiter?.reject(new MlsError(m.error.code, m.error.message))
        else waiter?.resolve()
        return
      }
      case 'mls:gather-result': {
        const waiter = gathers.get(m.id)
        gathers.delete(m.id)
        if (m.part !== undefined) waiter?.resolve(m.part)
        else waiter?.reject(new MlsError(m.error?.code ?? 'INTERNAL', m.error?.message ?? 'no answer from the processes'))
        return
      }
      case 'mls:gather-do': {
        // This process's part of a read of the whole server: its own index, its own counters, or its own metrics.
        if (m.kind === 'metrics') {
          // A failure answers with nothing rather than not at all: the primary would wait 5 s for this part.
          void (running.metrics?.registry.getMetricsAsJSON() ?? Promise.resolve([]))
            .catch((error: unknown) => (logger.warn(`reading this process's metrics failed: ${(error as Error).message}`), []))
            .then((metrics) => send({type: 'mls:gather-part', id: m.id, part: {kind: 'metrics', metrics}}))
          return
        }
        const part: GatherPart = m.kind === 'index' ? {kind: 'index', items: running.dataplane.repositoryIndex({})} : {kind: 'stats', stats: running.dataplane.statistics.snapshot()}
        send({type: 'mls:gather-part', id: m.id, part})
        return
      }
      case 'mls:repo-do': {
        // This process's part of an operation carried to every process.
        const done = m.op === 'load' ? running.registry.load(m.name) : running.registry.unload(m.name)
        done.then(
          () => send({type: 'mls:repo-done', id: m.id}),
          (error: unknown) => send({type: 'mls:repo-done', id: m.id, error: toWire(error)}),
        )
        return
      }
    }
  })
  logger.debug(`process ${number} serving (pid ${process.pid}) on ${running.restUrl} and ${running.grpcAddress}`)
  send({type: 'mls:listening', restUrl: running.restUrl, grpcAddress: running.grpcAddress})
  // A failed start-up load is logged (repository and cause); the process serves what it has, as one process does.
  await settleStartupLoading(running.loaded, logger, settings.model_repository_root)
  send({type: 'mls:loaded', summary: loadSummary(running.registry.all(), running.registry.isReady()), counts: modelCounts(running.registry.all())})
  const code = await stop.stopped
  logger.debug('stopped')
  process.disconnect()
  process.exit(code)
}
