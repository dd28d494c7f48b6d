/**
 * The MonitorSource of the server this process runs (`mls start --tui`): health, metadata, index and the repository
 * actions straight from its data plane (polling its own REST port would fill the log with the dashboard's own
 * requests), metrics from its metrics endpoint, as any scraper reads them; with --watch, the watcher's events as they
 * happen.
 */
import type {RunningServer} from '../../server/index.js'
import {probeMetrics} from './http-source.js'
import {failed, ok, type MonitorSource, type Probe} from './monitor-source.js'

function attempt<T>(read: () => T): Probe<T> {
  try {
    return ok(read())
  } catch (error) {
    return failed((error as Error).message)
  }
}

/** A source for `server`, shown as `url` (its REST URL) and `metricsUrl` (undefined: metrics are off). */
export function inProcessSource(server: RunningServer, url: string, metricsUrl: string | undefined): MonitorSource {
  const {dataplane} = server
  return {
    url,
    metricsUrl: metricsUrl ?? 'off',
    async snapshot({metadata}) {
      const metrics = await probeMetrics(metricsUrl)
      return {
        time: performance.now(),
        ready: attempt(() => dataplane.ready()),
        metadata: metadata ? attempt(() => dataplane.serverMetadata()) : undefined,
        index: attempt(() => dataplane.repositoryIndex({})),
        metrics,
      }
    },
    load: (name) => dataplane.loadModel(name),
    unload: (name) => dataplane.unloadModel(name),
    ...(server.watcher === undefined ? {} : {subscribe: (listener) => server.watcher!.onEvent(({level, text}) => listener({level, text}))}),
  }
}
