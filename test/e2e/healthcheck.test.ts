/**
 * The image's HEALTHCHECK script (bin/healthcheck.js) against real servers: 0 while ready, 1 while live but not ready,
 * 1 when nothing listens. Over https with a self-signed certificate: test/e2e/security.test.ts.
 */
import net from 'node:net'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {freePort} from './helpers/container.js'
import {MUSHROOM_DIR, makeRepo} from './helpers/fixtures.js'
import {runHealthcheck} from './helpers/healthcheck.js'
import {request} from './helpers/http.js'
import {startMls} from './helpers/mls-process.js'

const cleanups: Array<() => unknown> = []
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function serve(files: Parameters<typeof makeRepo>[0]) {
  const repo = makeRepo(files)
  cleanups.push(repo.cleanup)
  const server = await startMls(repo.dir)
  cleanups.push(() => server.stop())
  return {server, port: new URL(server.url).port}
}

describe('bin/healthcheck.js', () => {
  it('exits 0 while the server is ready, 1 once it has stopped', async () => {
    const {server, port} = await serve({'model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')}, 'model-settings.json': JSON.stringify({name: 'mushroom', implementation: 'xgboost'})})
    expect(runHealthcheck({MLS_HTTP_PORT: port})).toBe(0)
    expect(await server.stop()).toBe(0)
    expect(runHealthcheck({MLS_HTTP_PORT: port})).toBe(1)
  })

  it('exits 1 while the server is live but not ready (no model)', async () => {
    const {server, port} = await serve({'README.md': 'no model here'})
    expect((await request(server.url + '/v2/health/live')).status).toBe(200)
    expect((await request(server.url + '/v2/health/ready')).status).toBe(503)
    expect(runHealthcheck({MLS_HTTP_PORT: port})).toBe(1)
  })

  it('exits 1 when nothing listens on the port', async () => {
    expect(runHealthcheck({MLS_HTTP_PORT: String(await freePort())})).toBe(1)
  })

  it('exits 1 at its 4 s deadline when the port accepts but never answers (both attempts together, under Docker\'s 5 s)', async () => {
    // The kernel accepts the connections; nothing ever answers them (neither http nor the https attempt after it).
    const hung = net.createServer(() => {})
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve))
    try {
      const started = Date.now()
      expect(runHealthcheck({MLS_HTTP_PORT: String((hung.address() as net.AddressInfo).port)})).toBe(1)
      // 4 s and the start of node; two 4 s attempts (before) took 8 s and more.
      expect(Date.now() - started).toBeLessThan(7000)
    } finally {
      hung.close()
    }
  })
})
