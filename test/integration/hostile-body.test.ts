/**
 * Hostile round 2, how REST bodies are read (issue 20, items 3, 4 and 12): nesting deeper than max_json_depth refused
 * at the first chunk that goes too deep and the connection closed; bytes of unfinished bodies bounded across all
 * connections (max_buffered_request_bytes: 503 SERVER_BUSY, and every byte given back however a body ends); a body
 * that stops arriving timed out (request_body_timeout: 408); invalid UTF-8 and charsets other than UTF-8 refused.
 * In-process: the composed server's REST app through `inject`, and listening on a loopback port where the connection
 * itself matters (answers before the body is sent, closes, aborts, stalls).
 */
import type {AddressInfo, Socket} from 'node:net'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LINGER_MS} from '../../src/server/rest/lingering-close.js'
import {RawConnection, until} from '../e2e/helpers/raw-upload.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const MODELS = fileURLToPath(new URL('../fixtures/models', import.meta.url))
const FP32 = '/v2/models/identity_fp32/infer'
const BYTES = '/v2/models/identity_bytes/infer'
const MiB = 1024 * 1024
/** The tight server's max_buffered_request_bytes. */
const BUDGET = MiB

/** Default settings (max_json_depth 64, max_request_size 64 MiB). */
let server: InProcessServer
let url: string
/** Every connection the default server accepted, to read what it read. */
const accepted: Socket[] = []
/** Small limits: max_json_depth 8, max_buffered_request_bytes 1 MiB, request_body_timeout 0.5 s. */
let tight: InProcessServer
let tightUrl: string

async function listen(s: InProcessServer): Promise<string> {
  await s.app.listen({host: '127.0.0.1', port: 0})
  return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  ;[server, tight] = await Promise.all([
    startInProcess(MODELS),
    startInProcess(MODELS, {flags: {max_json_depth: 8, max_buffered_request_bytes: BUDGET, max_request_size: 4 * MiB, request_body_timeout: 0.5}}),
  ])
  url = await listen(server)
  tightUrl = await listen(tight)
  server.app.server.on('connection', (socket: Socket) => accepted.push(socket))
})
afterAll(async () => {
  await Promise.all([server?.close(), tight?.close()])
})

const deep = (depth: number, inner: string) => '['.repeat(depth) + inner + ']'.repeat(depth)
/** An infer body whose data is nested `depth` arrays deep: the whole JSON is 3 levels deeper. */
const PREFIX = '{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":'
const nestedData = (depth: number) => `${PREFIX}${deep(depth, '1.5')}}]}`
const tooDeep = (limit: number) => new RegExp(`^the JSON body nests arrays or objects deeper than max_json_depth \\(${limit}\\): byte offset (\\d+) opens level ${limit + 1}$`)
const post = (s: InProcessServer, path: string, body: string | Uint8Array, headers: Record<string, string> = {'content-type': 'application/json'}) => s.request(path, {method: 'POST', body, headers})
const expectError = (res: {status: number; body: any}, status: number, code: string, says: RegExp) => {
  expect(res.status).toBe(status)
  expect(Object.keys(res.body).sort()).toEqual(['code', 'error'])
  expect(res.body.code).toBe(code)
  expect(res.body.error).toMatch(says)
}
/** A valid infer body of about `bytes` bytes (whitespace after the JSON). */
const paddedBody = (bytes: number) => {
  const json = JSON.stringify({inputs: [{name: 'x', shape: [1], datatype: 'FP32', data: [2.5]}]})
  return json + ' '.repeat(bytes - json.length)
}

describe('max_json_depth: nesting refused as soon as it is seen', () => {
  it('64 levels (a tensor nested 61 deep in an infer request) reach the data plane; 65 are 400 JSON_TOO_DEEP at the byte that opens level 65', async () => {
    const ok = await post(server, FP32, nestedData(61))
    expect(ok.status).toBe(200)
    expect(ok.body.outputs[0].data).toEqual([1.5])
    const res = await post(server, FP32, nestedData(62))
    expectError(res, 400, 'JSON_TOO_DEEP', tooDeep(64))
    expect(Number(tooDeep(64).exec(res.body.error)![1])).toBe(PREFIX.length + 61)
  })

  it('realistic tensors are far below the limit: a [2, 2, 2, 2] tensor given nested answers', async () => {
    const data = [[[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[[9, 10], [11, 12]], [[13, 14], [15, 16]]]]
    const res = await server.postJson(FP32, {inputs: [{name: 'x', shape: [16], datatype: 'FP32', data}]})
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data).toEqual(data.flat(3))
  })

  it('objects count as arrays do (parameters nested 70 objects deep), and every JSON endpoint is guarded (repository index)', async () => {
    const params = '{"a":'.repeat(70) + '1' + '}'.repeat(70)
    expectError(await post(server, FP32, `{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],"parameters":${params}}`), 400, 'JSON_TOO_DEEP', tooDeep(64))
    expectError(await post(server, '/v2/repository/index', deep(1000, '')), 400, 'JSON_TOO_DEEP', tooDeep(64))
  })

  it('brackets inside strings, escaped quotes and backslashes are not nesting', async () => {
    const elements = ['['.repeat(5000), '{'.repeat(5000), '\\"[[[[[[', '\\\\', '"' + '['.repeat(100), 'a\\' + '"'.repeat(3) + '['.repeat(100)]
    const res = await server.postJson(BYTES, {inputs: [{name: 'x', shape: [elements.length], datatype: 'BYTES', data: elements}]})
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data).toEqual(elements)
  })

  it('the binary extension: its JSON header is scanned, its data (bytes of "[" here) is not', async () => {
    const header = (json: string) => ({body: Buffer.concat([Buffer.from(json), Buffer.alloc(400, '[')]), headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': String(Buffer.byteLength(json))}})
    const good = header(JSON.stringify({inputs: [{name: 'x', shape: [100], datatype: 'FP32', parameters: {binary_data_size: 400}}]}))
    const ok = await server.request(FP32, {method: 'POST', ...good})
    expect(ok.status).toBe(200)
    expect(ok.body.outputs[0].data[0]).toBeCloseTo(new Float32Array(Buffer.alloc(4, '[').buffer)[0])
    const bad = header(`{"inputs":[{"name":"x","shape":[100],"datatype":"FP32","parameters":{"binary_data_size":400,"p":${deep(70, '')}}}]}`)
    expectError(await server.request(FP32, {method: 'POST', ...bad}), 400, 'JSON_TOO_DEEP', tooDeep(64))
  })

  it('the setting: max_json_depth 8 refuses 9 levels', async () => {
    expect((await post(tight, FP32, nestedData(5))).status).toBe(200)
    expectError(await post(tight, FP32, nestedData(6)), 400, 'JSON_TOO_DEEP', tooDeep(8))
  })

  it('a 60 MB body of "[" (under the 64 MiB limit) is refused in milliseconds, having read a fraction of it, and the connection is closed', async () => {
    const size = 60 * 1000 * 1000
    const before = accepted.length
    const connection = new RawConnection(url)
    connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': size})
    const sending = connection.sendRepeated(Buffer.alloc(64 * 1024, '['), size)
    const answer = await connection.answer(5000)
    const sent = await sending
    expect(answer.status).toBe(400)
    expect(answer.body.code).toBe('JSON_TOO_DEEP')
    expect(answer.headers.connection).toBe('close')
    expect(await connection.closesWithin(LINGER_MS + 1500)).toBe(true)
    const read = accepted[before].bytesRead
    console.log(`60 MB of "[": answered 400 JSON_TOO_DEEP in ${answer.ms.toFixed(1)} ms; the server read ${read} bytes, the client got ${sent} bytes out`)
    expect(answer.ms).toBeLessThan(1000)
    expect(read).toBeLessThan(size / 4)
    expect(sent).toBeLessThan(size)
    expect((await server.request('/v2/health/live')).status).toBe(200)
    expect(server.bodyBudget.used).toBe(0)
  })
})

describe('max_request_size as the bytes arrive', () => {
  it('a body announced larger is 413 before any of it is read', async () => {
    const connection = new RawConnection(url)
    connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': 65 * MiB})
    const answer = await connection.answer()
    expect(answer.status).toBe(413)
    expect(answer.body).toEqual({code: 'PAYLOAD_TOO_LARGE', error: 'the request body is larger than max_request_size (67108864 bytes)'})
    expect(await connection.closesWithin(LINGER_MS + 1500)).toBe(true)
  })

  it('a chunked body (no Content-Length) is 413 at the chunk that passes it', async () => {
    const connection = new RawConnection(url)
    connection.head('POST', FP32, {'content-type': 'application/json', 'transfer-encoding': 'chunked'})
    const chunk = Buffer.concat([Buffer.from((MiB).toString(16) + '\r\n'), Buffer.alloc(MiB, ' '), Buffer.from('\r\n')])
    const sending = (async () => {
      for (let i = 0; i < 100 && (await connection.write(chunk)); i++);
    })()
    const answer = await connection.answer(10_000)
    await sending
    expect(answer.status).toBe(413)
    expect(answer.body.error).toBe('the request body is larger than max_request_size (67108864 bytes)')
    expect(server.bodyBudget.used).toBe(0)
  })

  it('a body larger than max_buffered_request_bytes itself is 413 naming that limit (it could never be received)', async () => {
    const res = await post(tight, FP32, paddedBody(BUDGET + 1))
    expectError(res, 413, 'PAYLOAD_TOO_LARGE', /^the request body is larger than max_buffered_request_bytes \(1048576 bytes\)$/)
  })
})

describe('max_buffered_request_bytes: bytes of unfinished bodies across all connections', () => {
  it('while stalled bodies hold the budget, a new body that does not fit is 503 SERVER_BUSY with Retry-After; once they go, it is served', async () => {
    const holder = new RawConnection(tightUrl)
    holder.head('POST', FP32, {'content-type': 'application/json', 'content-length': 900_000})
    await holder.sendRepeated(Buffer.alloc(100_000, ' '), 800_000)
    await until(() => tight.bodyBudget.used === 800_000, 2000, 'the stalled body to hold 800,000 bytes')

    const announced = new RawConnection(tightUrl)
    announced.head('POST', FP32, {'content-type': 'application/json', 'content-length': 300_000})
    const refused = await announced.answer()
    expect(refused.status).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.body).toEqual({code: 'SERVER_BUSY', error: 'unfinished request bodies already hold what max_buffered_request_bytes (1048576 bytes) allows; retry later'})
    expect(await announced.closesWithin(LINGER_MS + 1500)).toBe(true)

    // Without a Content-Length, at the chunk that does not fit.
    const chunked = new RawConnection(tightUrl)
    chunked.head('POST', FP32, {'content-type': 'application/json', 'transfer-encoding': 'chunked'})
    for (let i = 0; i < 10 && (await chunked.write(`186a0\r\n${' '.repeat(100_000)}\r\n`)); i++);
    expect((await chunked.answer()).body.code).toBe('SERVER_BUSY')

    // A small body still fits beside the stalled one.
    expect((await post(tight, FP32, paddedBody(100_000))).status).toBe(200)

    holder.destroy()
    await until(() => tight.bodyBudget.used === 0, 2000, 'the budget to be given back')
    const res = await post(tight, FP32, paddedBody(900_000))
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data).toEqual([2.5])
  })

  it('aborted uploads give back every byte: 20 connections that send part of a body and go away leave the budget at 0', async () => {
    const connections = Array.from({length: 20}, () => new RawConnection(tightUrl))
    for (const connection of connections) {
      connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': 200_000})
      await connection.write(Buffer.alloc(30_000, ' '))
    }
    await until(() => tight.bodyBudget.used === 20 * 30_000, 2000, 'the 20 bodies to be held')
    for (const connection of connections) connection.destroy()
    await until(() => tight.bodyBudget.used === 0, 2000, 'the budget to return to 0')
    expect((await post(tight, FP32, paddedBody(1_000_000))).status).toBe(200)
  })

  it('refused bodies give back their bytes too (too deep, too large, invalid UTF-8, not JSON)', async () => {
    expect((await post(tight, FP32, nestedData(20))).status).toBe(400)
    expect((await post(tight, FP32, paddedBody(2 * MiB))).status).toBe(413)
    expect((await post(tight, FP32, Buffer.from([0x7b, 0xff, 0x7d]))).status).toBe(400)
    expect((await post(tight, FP32, '{"inputs": [')).status).toBe(400)
    expect(tight.bodyBudget.used).toBe(0)
  })
})

describe('request_body_timeout: a body that stops arriving', () => {
  it('no body data for 0.5 s is 408 REQUEST_TIMEOUT in our shape, the connection closed and its bytes given back', async () => {
    const connection = new RawConnection(tightUrl)
    connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': 1000})
    await connection.write('{"inputs": [')
    const answer = await connection.answer(5000)
    expect(answer.status).toBe(408)
    expect(answer.headers['content-type']).toMatch(/^application\/json/)
    expect(answer.body).toEqual({code: 'REQUEST_TIMEOUT', error: 'no request body data arrived for request_body_timeout (0.5 s)'})
    expect(answer.ms).toBeGreaterThanOrEqual(450)
    expect(answer.ms).toBeLessThan(3000)
    expect(await connection.closesWithin(LINGER_MS + 1500)).toBe(true)
    expect(tight.bodyBudget.used).toBe(0)
  })

  it('it bounds silence, not the whole body: a body trickling in for 1.2 s is served', async () => {
    const body = paddedBody(600)
    const connection = new RawConnection(tightUrl)
    connection.head('POST', FP32, {'content-type': 'application/json', 'content-length': body.length})
    for (let i = 0; i < 6; i++) {
      await connection.write(body.slice(i * 100, (i + 1) * 100))
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    const answer = await connection.answer()
    expect(answer.status).toBe(200)
    connection.destroy()
  })
})

describe('strict text: UTF-8 JSON only', () => {
  const inString = (bytes: number[]) => Buffer.concat([Buffer.from('{"inputs":[{"name":"x","shape":[1],"datatype":"BYTES","data":["ab'), Buffer.from(bytes), Buffer.from('"]}]}')])
  const at = inString([]).indexOf('ab') + 2
  for (const [name, bytes] of [
    ['a lone 0xff', [0xff]],
    ['a truncated two-byte sequence', [0xc3]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ] as const) {
    it(`${name} in a JSON string: 400 INVALID_JSON naming the byte offset, not silently replaced`, async () => {
      const res = await post(server, BYTES, inString([...bytes]))
      expectError(res, 400, 'INVALID_JSON', new RegExp(`^the body is not valid UTF-8: the byte sequence at byte offset ${at} \\(0x${bytes[0].toString(16)}\\.\\.\\.\\) is malformed$`))
    })
  }

  it('valid multi-byte UTF-8 (2, 3 and 4 bytes) passes unchanged', async () => {
    const elements = ['héllo', '€uro', '𝄞 clef', '日本語']
    const res = await server.postJson(BYTES, {inputs: [{name: 'x', shape: [4], datatype: 'BYTES', data: elements}]})
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data).toEqual(elements)
  })

  it('the binary extension: its JSON header must be UTF-8; its data may hold any bytes', async () => {
    const json = Buffer.concat([Buffer.from('{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","parameters":{"binary_data_size":4},"p":"'), Buffer.from([0xfe]), Buffer.from('"}]}')])
    const res = await server.request(FP32, {method: 'POST', body: Buffer.concat([json, Buffer.alloc(4)]), headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length)}})
    expectError(res, 400, 'INVALID_JSON', new RegExp(`^the JSON header is not valid UTF-8: the byte sequence at byte offset ${json.indexOf(0xfe)} \\(0xfe\\.\\.\\.\\) is malformed$`))
    const header = Buffer.from(JSON.stringify({inputs: [{name: 'x', shape: [1], datatype: 'FP32', parameters: {binary_data_size: 4}}]}))
    const ok = await server.request(FP32, {method: 'POST', body: Buffer.concat([header, Buffer.from([0x00, 0x00, 0xc0, 0x7f])]), headers: {'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length)}})
    expect(ok.status).toBe(200)
  })

  for (const type of ['application/json; charset=latin1', 'application/json;charset=ISO-8859-1', 'application/json; charset="utf-16"', 'application/octet-stream; charset=latin1']) {
    it(`Content-Type "${type}": 415 UNSUPPORTED_MEDIA_TYPE naming the charset`, async () => {
      const res = await post(server, FP32, paddedBody(100), {'content-type': type, 'inference-header-content-length': '0'})
      const charset = /charset="?([^"]+)"?/.exec(type)![1].toLowerCase()
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', new RegExp(`^unsupported charset "${charset}" in content type "${type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": request bodies must be UTF-8`))
    })
  }

  for (const type of ['application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json; charset="utf-8"', 'application/json;charset=utf8']) {
    it(`Content-Type "${type}" is accepted`, async () => {
      expect((await post(server, FP32, paddedBody(100), {'content-type': type})).status).toBe(200)
    })
  }
})

describe('afterwards', () => {
  it('both servers are live and ready, answer inference, and hold no body bytes', async () => {
    for (const s of [server, tight]) {
      expect((await s.request('/v2/health/ready')).status).toBe(200)
      expect((await s.postJson(FP32, {inputs: [{name: 'x', shape: [2], datatype: 'FP32', data: [1, 2]}]})).body.outputs[0].data).toEqual([1, 2])
      expect(s.bodyBudget.used).toBe(0)
    }
  })
})
