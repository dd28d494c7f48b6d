/** Listening all or none: a port that cannot be bound closes the listeners already open and names its setting. */
import {mkdtempSync, rmSync} from 'node:fs'
import {connect, createServer, type Server} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {createLogger} from '../../../src/logger.js'
import {composeServer, type ServerParts} from '../../../src/server/compose.js'
import {listenAll} from '../../../src/server/listen.js'
import {SERVER_DEFAULTS, type ServerSettings} from '../../../src/settings/server-settings.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A loopback port held by another listener, as a second server on the same port would find it. */
async function takenPort(): Promise<number> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => server.close(resolve)))
  return (server.address() as {port: number}).port
}

function parts(overrides: Partial<ServerSettings>): {parts: ServerParts; lines: string[]} {
  const root = mkdtempSync(path.join(tmpdir(), 'mls-listen-'))
  cleanups.push(() => rmSync(root, {recursive: true, force: true}))
  const settings: ServerSettings = {...SERVER_DEFAULTS, model_repository_root: root, host: '127.0.0.1', http_port: 0, grpc_port: 0, metrics_port: 0, ...overrides}
  const lines: string[] = []
  return {parts: composeServer(settings, createLogger({debug: false, write: (line) => lines.push(line)})), lines}
}

/** Whether anything accepts a TCP connection on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

describe('listenAll', () => {
  it('binds REST, gRPC and metrics and tells their addresses', async () => {
    const {parts: server, lines} = parts({})
    const listeners = await listenAll(server, true)
    cleanups.push(() => Promise.all([server.rest.close(), listeners.grpc.close(), listeners.metricsServer?.close()]))
    expect(listeners.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await accepts(Number(new URL(listeners.restUrl).port))).toBe(true)
    expect(await accepts(Number(listeners.grpc.address.split(':')[1]))).toBe(true)
    expect(listeners.metricsServer?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    expect(lines.map((line) => line.replace(/^\S+ \[mls\] \w+\s+/, '').replace(/\d+/g, 'N'))).toEqual([
      'REST server listening on http://N.N.N.N:N',
      'gRPC server listening on N.N.N.N:N',
      'metrics listening on http://N.N.N.N:N/metrics',
    ])
  })

  it('closes REST again when the gRPC port is taken, and names grpc_port', async () => {
    const port = await takenPort()
    const {parts: server, lines} = parts({grpc_port: port})
    const error = await listenAll(server, true).then(() => undefined, (failure: Error) => failure)
    expect(error?.message).toMatch(new RegExp(`^gRPC address 127\\.0\\.0\\.1:${port} .*\\(set grpc_port, MLS_GRPC_PORT or --grpc-port\\)$`))
    const restUrl = /REST server listening on (\S+)/.exec(lines.join('\n'))![1]
    expect(server.rest.server.listening).toBe(false)
    expect(await accepts(Number(new URL(restUrl).port))).toBe(false)
  })

  it('closes REST and gRPC again when the metrics port is taken, and names metrics_port', async () => {
    const port = await takenPort()
    const {parts: server, lines} = parts({metrics_port: port})
    await expect(listenAll(server, true)).rejects.toThrow(`metrics address 127.0.0.1:${port} is already in use (set metrics_port, MLS_METRICS_PORT or --metrics-port)`)
    const grpcPort = Number(/gRPC server listening on \S+:(\d+)/.exec(lines.join('\n'))![1])
    expect(server.rest.server.listening).toBe(false)
    expect(await accepts(grpcPort)).toBe(false)
  })

  it('leaves the metrics port alone when someone else serves the metrics', async () => {
    const port = await takenPort()
    const {parts: server} = parts({metrics_port: port})
    const listeners = await listenAll(server, false)
    cleanups.push(() => Promise.all([server.rest.close(), listeners.grpc.close()]))
    expect(listeners.metricsServer).toBeUndefined()
  })
})
