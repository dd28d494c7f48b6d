/**
 * Hostile round 2, how REST bodies are read, against the built CLI (issue 20, items 3 and 4): a 60 MB body of nested
 * brackets is refused in milliseconds while liveness keeps answering (it took 27 s and 3.5 GB before), uploads that
 * are abandoned give back the bytes they held (max_buffered_request_bytes), and a body that stops arriving is 408
 * (request_body_timeout). Bodies are sent over bare sockets (test/e2e/helpers/raw-upload.ts) so that the answer is read
 * while the upload is still going.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {request} from './helpers/http.js'
import {LINGER_MS} from '../../src/server/rest/lingering-close.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'
import {RawConnection} from './helpers/raw-upload.js'

const MODELS = fileURLToPath(new URL('../fixtures/models', import.meta.url))
const FP32 = '/v2/models/identity_fp32/infer'
/** The tight server's max_buffered_request_bytes. */
const BUDGET = 1024 * 1024

/** Default limits. */
let server: MlsProcess
/** max_buffered_request_bytes 1 MiB, request_body_timeout 0.5 s. */
let tight: MlsProcess

beforeAll(async () => {
  ;[server, tight] = await Promise.all([
    startMls(MODELS),
    startMls(MODELS, {env: {MLS_MAX_BUFFERED_REQUEST_BYTES: String(BUDGET), MLS_REQUEST_BODY_TIMEOUT: '0.5'}}),
  ])
})
afterAll(async () => {
  await Promise.all([server?.stop(), tight?.stop()])
})

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024
/** A valid infer body of exactly `bytes` bytes (whitespace after the JSON). */
const paddedBody = (bytes: number) => {
  const json = JSON.stringify({inputs: [{name: 'x', shape: [1], datatype: 'FP32', data: [2.5]}]})
  return json + ' '.repeat(bytes - json.length)
}

describe('bodies refused as they arrive (built CLI)', () => {
  it('two 60 MB bodies of "[" at once (five times over) are refused 400 JSON_TOO_DEEP in milliseconds; liveness answers throughout; memory stays flat', async () => {
    const size = 60 * 1000 * 1000
    const rssBefore = rssOf(server.child.pid!)
    let probing = true
    const probes: number[] = []
    const probe = (async () => {
      for (let i = 0; probing && i < 500; i++) {
        const started = performance.now()
        expect((await request(`${server.url}/v2/health/live`)).status).toBe(200)
        probes.push(performance.now() - started)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })()
    const upload = async () => {
      const connection = new RawConnection(server.url)
      connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': size})
      // Not awaited: the server stops reading after its answer, so the last write waits until it closes.
      void connection.sendRepeated(Buffer.alloc(64 * 1024, '['), size)
      const answer = await connection.answer(10_000)
      const sent = connection.sent
      // The server closes the connection LINGER_MS after its answer (lingering-close.ts); checked at the end.
      return {answer, sent, closed: connection.closesWithin(LINGER_MS + 1500)}
    }
    // Five rounds, so that the probes run across them.
    const results: Array<Awaited<ReturnType<typeof upload>>> = []
    const probeOnce = async () => {
      const started = performance.now()
      expect((await request(`${server.url}/v2/health/live`)).status).toBe(200)
      probes.push(performance.now() - started)
    }
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([upload(), upload(), probeOnce()])
      results.push(a, b)
    }
    probing = false
    await probe
    const rssAfter = rssOf(server.child.pid!)
    for (const {answer} of results) {
      expect(answer.status).toBe(400)
      expect(answer.body.code).toBe('JSON_TOO_DEEP')
      expect(answer.headers.connection).toBe('close')
      expect(answer.ms).toBeLessThan(1000)
    }
    console.log(
      `5 x two 60 MB bodies of "[": answered in ${results.map((r) => r.answer.ms.toFixed(1)).join(', ')} ms; the client got at most ${Math.max(...results.map((r) => r.sent))} bytes out; ` +
        `${probes.length} liveness probes, slowest ${Math.max(...probes).toFixed(1)} ms; RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssAfter / 2 ** 20).toFixed(0)} MiB`,
    )
    expect(await Promise.all(results.map((r) => r.closed))).toEqual(results.map(() => true))
    expect(probes.length).toBeGreaterThan(0)
    expect(Math.max(...probes)).toBeLessThan(500)
    expect(rssAfter - rssBefore).toBeLessThan(100 * 2 ** 20)
  })

  it('abandoned uploads give back the bytes they held: after 10 uploads of 900 kB dropped midway, a 1 MB body still fits the 1 MiB budget', async () => {
    for (let round = 0; round < 5; round++) {
      const pair = [new RawConnection(tight.url), new RawConnection(tight.url)]
      for (const connection of pair) {
        connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': 1_000_000})
        await connection.sendRepeated(Buffer.alloc(50_000, ' '), 450_000)
      }
      // Both held at once (900 kB of the 1 MiB), then dropped.
      for (const connection of pair) connection.destroy()
      await Promise.all(pair.map((connection) => connection.closed))
    }
    // The server sees the closes a moment later: retry a 503 briefly, never past 2 s.
    let res = await request(`${tight.url}${FP32}`, {method: 'POST', body: paddedBody(1_000_000), headers: {'content-type': 'application/json'}})
    for (let i = 0; i < 20 && res.status === 503; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      res = await request(`${tight.url}${FP32}`, {method: 'POST', body: paddedBody(1_000_000), headers: {'content-type': 'application/json'}})
    }
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data).toEqual([2.5])
  })

  it('while a stalled upload holds the budget, another big body is 503 SERVER_BUSY with Retry-After, and health still answers', async () => {
    const holder = new RawConnection(tight.url)
    holder.head('POST', FP32, {'content-type': 'application/json', 'content-length': 1_000_000})
    await holder.sendRepeated(Buffer.alloc(50_000, ' '), 900_000)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const res = await request(`${tight.url}${FP32}`, {method: 'POST', body: paddedBody(500_000), headers: {'content-type': 'application/json'}})
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('1')
    expect(res.body.code).toBe('SERVER_BUSY')
    expect((await request(`${tight.url}/v2/health/live`)).status).toBe(200)
    holder.destroy()
  })

  it('a body that stops arriving is 408 REQUEST_TIMEOUT after request_body_timeout, in our shape, and the connection is closed', async () => {
    const connection = new RawConnection(tight.url)
    connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': 1000})
    await connection.write('{"inputs": [')
    const answer = await connection.answer(5000)
    expect(answer.status).toBe(408)
    expect(answer.body).toEqual({code: 'REQUEST_TIMEOUT', error: 'no request body data arrived for request_body_timeout (0.5 s)'})
    expect(answer.ms).toBeGreaterThanOrEqual(450)
    expect(await connection.closesWithin(LINGER_MS + 1500)).toBe(true)
    expect((await request(`${tight.url}/v2/health/ready`)).status).toBe(200)
  })
})
