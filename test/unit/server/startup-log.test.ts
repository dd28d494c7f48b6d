/**
 * The start-up lines, written by one function for one process and for the cluster primary: their wording (tools
 * parse it), that the cluster workers' filter knows every one of them, and a failed start-up load logged with its cause.
 */
import {describe, expect, it} from 'vitest'
import {createLogger} from '../../../src/logger.js'
import {loadSummary, logListening, logLoaded, settleStartupLoading, STARTUP_LINE} from '../../../src/server/startup-log.js'

function recording() {
  const lines: string[] = []
  return {lines, logger: createLogger({debug: false, structured: true, write: (line) => lines.push(line)})}
}
const messages = (lines: string[]) => lines.map((line) => JSON.parse(line).msg as string)

describe('start-up log', () => {
  it('says where the server listens, in this order, with the optional lines when they apply', () => {
    const {lines, logger} = recording()
    logListening(logger, {restUrl: 'https://127.0.0.1:8080', grpcAddress: '127.0.0.1:8081', tls: true, metricsUrl: 'http://127.0.0.1:8082/metrics', repositoryAuth: true, repositoryRoot: '/models'})
    logLoaded(logger, loadSummary([{state: 'READY'}, {state: 'UNAVAILABLE'}], false))
    expect(messages(lines)).toEqual([
      'REST server listening on https://127.0.0.1:8080',
      'gRPC server listening on 127.0.0.1:8081 (TLS)',
      'repository API (index, load, unload) needs the bearer token (repository_auth_token)',
      'metrics listening on http://127.0.0.1:8082/metrics',
      'model repository: /models',
      'start-up loading finished: 1 of 2 model version(s) ready (server NOT ready)',
    ])
    // A cluster worker leaves every one of these to the primary.
    expect(messages(lines).filter((m) => !STARTUP_LINE.test(m))).toEqual([])
  })

  it('leaves out what is off', () => {
    const {lines, logger} = recording()
    logListening(logger, {restUrl: 'http://127.0.0.1:1', grpcAddress: '127.0.0.1:2', tls: false, repositoryAuth: false, repositoryRoot: '/m'})
    expect(messages(lines)).toEqual(['REST server listening on http://127.0.0.1:1', 'gRPC server listening on 127.0.0.1:2', 'model repository: /m'])
    expect(loadSummary([], true)).toBe('0 of 0 model version(s) ready')
  })

  it('logs a failed start-up load with the repository and the cause instead of throwing', async () => {
    const {lines, logger} = recording()
    await settleStartupLoading(Promise.reject(new Error('EACCES: permission denied, scandir /models/a')), logger, '/models')
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({level: 'error', msg: 'start-up loading of /models failed: EACCES: permission denied, scandir /models/a', event: 'startup_load_failed', path: '/models'}),
    ])
    await settleStartupLoading(Promise.resolve(), logger, '/models')
    expect(lines).toHaveLength(1)
  })
})
