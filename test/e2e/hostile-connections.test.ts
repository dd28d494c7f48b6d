/**
 * Hostile round 2, connections (issue 20 items 3, 5 and 12's Node-level refusals), on the built CLI over real sockets:
 * pipelined requests answered in order, requests that are never finished timed out, Node's own refusals in our error
 * shape, a cap on open connections per transport that closes the quietest idle connection first (and health still
 * answers under a connection flood), gRPC connections that never handshake or go idle closed, and keepalive enforced.
 */
import net from 'node:net'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeCertificate, type Certificate} from './helpers/certificate.js'
import {makeRepo} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'
import {closedWithin, connect, readAnswers, requestBytes} from './helpers/raw-http.js'
import {SLEEP_RUNTIME, sleepRequest} from './helpers/sleep-runtime.js'

const IDENTITY = fileURLToPath(new URL('../fixtures/models/identity_fp32', import.meta.url))
const REPO = {
  'models/identity_fp32/model-settings.json': JSON.stringify({name: 'identity_fp32', implementation: 'onnx'}),
  'models/identity_fp32/model.onnx': {copy: `${IDENTITY}/model.onnx`},
}
const infer = (value: number) => ({inputs: [{name: 'x', datatype: 'FP32', shape: [1], data: [value]}]})

describe('HTTP/1.1 pipelining', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  beforeAll(async () => {
    repo = makeRepo(REPO)
    server = await startMls(repo.dir)
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  it('100 inference requests written at once on one connection are all answered 200, in order', async () => {
    const socket = await connect(server.url)
    try {
      const count = 100
      socket.write(Array.from({length: count}, (_, i) => requestBytes('POST', '/v2/models/identity_fp32/infer', infer(i))).join(''))
      const {answers} = await readAnswers(socket, count)
      expect(answers.map((answer) => answer.status)).toEqual(new Array(count).fill(200))
      expect(answers.map((answer) => JSON.parse(answer.body).outputs[0].data[0])).toEqual(Array.from({length: count}, (_, i) => i))
    } finally {
      socket.destroy()
    }
    expect((await request(`${server.url}/v2/health/live`)).status).toBe(200)
  })
})

describe('receiving a request is bounded in time; Node\'s refusals come in our error shape', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  beforeAll(async () => {
    repo = makeRepo({
      ...REPO,
      // request_body_timeout off: the total (request_timeout) is what is tested here.
      'settings.json': JSON.stringify({request_headers_timeout: 1, request_timeout: 2, request_body_timeout: 0}),
      'models/slow/model-settings.json': JSON.stringify({name: 'slow', implementation: './runtime.ts'}),
      'models/slow/runtime.ts': SLEEP_RUNTIME,
    })
    server = await startMls(repo.dir)
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  const refusedWith = async (bytes: string | undefined, status: number, code: string, withinMs: number) => {
    const socket = await connect(server.url)
    try {
      const started = Date.now()
      if (bytes !== undefined) socket.write(bytes)
      const {answers, closed} = await readAnswers(socket, 2, withinMs)
      expect(answers).toHaveLength(1)
      expect(answers[0].status).toBe(status)
      expect(answers[0].headers['content-type']).toMatch(/^application\/json/)
      expect(JSON.parse(answers[0].body)).toEqual({code, error: expect.any(String)})
      expect(closed).toBe(true)
      return {ms: Date.now() - started, error: JSON.parse(answers[0].body).error as string}
    } finally {
      socket.destroy()
    }
  }

  it('headers never finished: 408 REQUEST_TIMEOUT after request_headers_timeout, and the connection is closed', async () => {
    const {ms} = await refusedWith('POST /v2/models/identity_fp32/infer HTTP/1.1\r\nhost: x\r\n', 408, 'REQUEST_TIMEOUT', 5000)
    expect(ms).toBeGreaterThanOrEqual(900)
    expect(ms).toBeLessThan(2500)
  })

  it('a connection that sends nothing is closed the same way', async () => {
    const {ms} = await refusedWith(undefined, 408, 'REQUEST_TIMEOUT', 5000)
    expect(ms).toBeLessThan(2500)
  })

  it('a body trickled a byte at a time: 408 REQUEST_TIMEOUT once request_timeout (headers and body) has passed', async () => {
    const socket = await connect(server.url)
    const trickle = setInterval(() => socket.writable && socket.write('1'), 100)
    try {
      const started = Date.now()
      socket.write(requestBytes('POST', '/v2/models/identity_fp32/infer').replace('\r\n\r\n', '\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n'))
      const {answers, closed} = await readAnswers(socket, 2, 6000)
      expect(answers.map((answer) => [answer.status, JSON.parse(answer.body).code])).toEqual([[408, 'REQUEST_TIMEOUT']])
      expect(closed).toBe(true)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900)
      expect(Date.now() - started).toBeLessThan(4000)
    } finally {
      clearInterval(trickle)
      socket.destroy()
    }
  })

  it('the answer is not bounded: a request the model takes 3 s to answer (past request_timeout) answers 200', async () => {
    const res = await postJson(`${server.url}/v2/models/slow/infer`, sleepRequest(3000))
    expect(res.status).toBe(200)
  })

  it('headers over Node\'s size limit: 431 HEADERS_TOO_LARGE in our shape', async () => {
    const {error} = await refusedWith(requestBytes('GET', '/v2/health/live', undefined, {'x-big': 'a'.repeat(20_000)}), 431, 'HEADERS_TOO_LARGE', 5000)
    expect(error).toMatch(/header size limit/)
  })

  it('a malformed request line: 400 INVALID_REQUEST in our shape', async () => {
    await refusedWith('GARBAGE\r\n\r\n', 400, 'INVALID_REQUEST', 5000)
    await refusedWith('GET /v2/health/live HTTP/1.1\r\nbad header line\r\n\r\n', 400, 'INVALID_REQUEST', 5000)
  })

  it('health answers after all that', async () => {
    expect((await request(`${server.url}/v2/health/live`)).status).toBe(200)
  })
})

describe('TLS: a handshake never finished is bounded too', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  let certificate: Certificate
  beforeAll(async () => {
    certificate = makeCertificate()
    repo = makeRepo({...REPO, 'settings.json': JSON.stringify({request_headers_timeout: 1, request_timeout: 2, ssl_certfile: certificate.cert, ssl_keyfile: certificate.key})})
    server = await startMls(repo.dir)
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
    certificate?.cleanup()
  })

  it('a TCP connection to the HTTPS port that never starts TLS is closed within the headers limit', async () => {
    const {hostname, port} = new URL(server.url)
    const socket = net.connect({host: hostname, port: Number(port)})
    await new Promise((resolve) => socket.once('connect', resolve))
    const started = Date.now()
    expect(await closedWithin(socket, 5000)).toBe(true)
    expect(Date.now() - started).toBeLessThan(2500)
  })
})
