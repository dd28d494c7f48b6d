/** The metrics listener: its own port (metrics_port), one path (metrics_endpoint); nothing else answers there. */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {Metrics} from './metrics.js'

export interface MetricsServer {
  readonly url: string
  close(): Promise<void>
}

/** What the listener serves: one process's Metrics, or the cluster primary's aggregate of every process. */
export type MetricsSource = Pick<Metrics, 'text' | 'contentType'>

export async function startMetricsServer(metrics: MetricsSource, options: {host: string; port: number; path: string}): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    if (request.method !== 'GET' || path !== options.path) {
      response.writeHead(404, {'content-type': 'application/json'}).end(JSON.stringify({error: `no endpoint ${request.method} ${path}; metrics are at GET ${options.path}`, code: 'ROUTE_NOT_FOUND'}))
      return
    }
    metrics.text().then(
      (text) => response.writeHead(200, {'content-type': metrics.contentType}).end(text),
      (error: Error) => response.writeHead(500, {'content-type': 'application/json'}).end(JSON.stringify({error: error.message, code: 'INTERNAL'})),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}${options.path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
