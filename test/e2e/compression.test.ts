/**
 * Compression against the built CLI (issue 16, item 1), with bodies built as NVIDIA's tritonclient builds them: its
 * `request_compression_algorithm` compresses the whole body (gzip.compress, or zlib.compress for deflate) and sends
 * `Content-Encoding`, with Inference-Header-Content-Length counting in the uncompressed body; its
 * `response_compression_algorithm` sends `Accept-Encoding`, and it reads an answer by decompressing the whole body and
 * then splitting it at Inference-Header-Content-Length. Also: gzip bombs (max_request_size bounds the inflated size,
 * promptly, with flat memory), codings that are not decoded (415), corrupt streams (400), answers compressed by
 * q-value above gzip_minimum_size only, and gRPC messages compressed by the client (gzip, deflate).
 * Answers are read over node:http, which (unlike fetch) leaves a compressed body as it came.
 */
import {randomBytes} from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import zlib from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {inferenceClient} from './helpers/grpc-client.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'
import {RawConnection} from './helpers/raw-upload.js'

const MODELS = fileURLToPath(new URL('../fixtures/models', import.meta.url))
const FP32 = '/v2/models/identity_fp32/infer'
const MiB = 1024 * 1024
/** The main server's max_request_size. */
const LIMIT = MiB

/** max_request_size 1 MiB (max_response_size 16 MiB); compression settings at their defaults. */
let server: MlsProcess
/** All defaults (max_request_size 64 MiB): the streamed bomb. */
let big: MlsProcess
/** --no-gzip-enabled. */
let off: MlsProcess
/** MLS_GZIP_MINIMUM_SIZE=100000. */
let tall: MlsProcess

beforeAll(async () => {
  ;[server, big, off, tall] = await Promise.all([
    startMls(MODELS, {env: {MLS_MAX_REQUEST_SIZE: String(LIMIT), MLS_MAX_RESPONSE_SIZE: String(16 * MiB)}}),
    startMls(MODELS),
    startMls(MODELS, {args: ['--no-gzip-enabled']}),
    startMls(MODELS, {env: {MLS_GZIP_MINIMUM_SIZE: '100000', MLS_MAX_RESPONSE_SIZE: String(16 * MiB)}}),
  ])
})
afterAll(async () => {
  await Promise.all([server?.stop(), big?.stop(), off?.stop(), tall?.stop()])
})

interface Answer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  /** The body as it came on the wire. */
  readonly wire: Buffer
}

/** One request over node:http; the answer's body untouched (no decompression). */
function send(base: string, path: string, init: {method?: string; body?: Buffer | string; headers?: Record<string, string | number>} = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, {method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers: init.headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({status: res.statusCode!, headers: res.headers, wire: Buffer.concat(chunks)}))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** The body as tritonclient's InferResult reads it: decompressed whole by Content-Encoding. */
function decoded(answer: Answer): Buffer {
  const coding = answer.headers['content-encoding']
  if (coding === 'gzip') return zlib.gunzipSync(answer.wire)
  if (coding === 'deflate') return zlib.inflateSync(answer.wire)
  expect(coding).toBeUndefined()
  return answer.wire
}

/** tritonclient's InferResult: the JSON header, and each binary output's bytes by its binary_data_size, in order. */
function tritonResult(answer: Answer): {json: any; binary: Map<string, Buffer>} {
  const body = decoded(answer)
  const header = answer.headers['inference-header-content-length']
  if (header === undefined) return {json: JSON.parse(body.toString('utf8')), binary: new Map()}
  const length = Number(header)
  const json = JSON.parse(body.subarray(0, length).toString('utf8'))
  const binary = new Map<string, Buffer>()
  let offset = length
  for (const output of json.outputs) {
    const size = output.parameters?.binary_data_size
    if (size === undefined) continue
    binary.set(output.name, body.subarray(offset, offset + size))
    offset += size
  }
  expect(offset).toBe(body.length)
  return {json, binary}
}

type Coding = 'gzip' | 'deflate'

/** tritonclient: gzip.compress for gzip, zlib.compress (the zlib format) for deflate. */
const compress = (body: Buffer, coding: Coding) => (coding === 'gzip' ? zlib.gzipSync(body) : zlib.deflateSync(body))

/**
 * An infer body as tritonclient's _get_inference_request builds it (rapidjson: compact, keys in its order): the input
 * as JSON data or as binary data after the JSON, and `jsonSize` (its Inference-Header-Content-Length) when there is
 * binary data. Without requested outputs, tritonclient asks for every output as binary data.
 */
function tritonBody(values: Float32Array, options: {binaryInput: boolean; outputs?: 'json' | 'binary'; id?: string}): {body: Buffer; jsonSize?: number} {
  const input: Record<string, unknown> = {name: 'x', shape: [values.length], datatype: 'FP32'}
  if (options.binaryInput) input.parameters = {binary_data_size: values.byteLength}
  else input.data = Array.from(values)
  const request: Record<string, unknown> = {}
  if (options.id !== undefined) request.id = options.id
  request.inputs = [input]
  if (options.outputs !== undefined) request.outputs = [{name: 'y', parameters: {binary_data: options.outputs === 'binary'}}]
  else request.parameters = {binary_data_output: true}
  const json = Buffer.from(JSON.stringify(request))
  if (!options.binaryInput) return {body: json}
  return {body: Buffer.concat([json, Buffer.from(values.buffer, values.byteOffset, values.byteLength)]), jsonSize: json.length}
}

/** tritonclient's infer(): the body compressed by request_compression_algorithm, Accept-Encoding by the response's. */
function tritonInfer(base: string, values: Float32Array, options: {binaryInput: boolean; outputs?: 'json' | 'binary'; request?: Coding; response?: Coding; id?: string}) {
  const {body, jsonSize} = tritonBody(values, options)
  const headers: Record<string, string | number> = {}
  if (options.request !== undefined) headers['Content-Encoding'] = options.request
  if (options.response !== undefined) headers['Accept-Encoding'] = options.response
  if (jsonSize !== undefined) headers['Inference-Header-Content-Length'] = jsonSize
  return send(base, FP32, {body: options.request === undefined ? body : compress(body, options.request), headers})
}

/** Values that are not all alike (so compression has real work), exactly representable as FP32. */
const ramp = (n: number) => Float32Array.from({length: n}, (_, i) => (i % 251) * 0.25 - 17.5)

const errorOf = (answer: Answer) => JSON.parse(decoded(answer).toString('utf8')) as {error: string; code: string}
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024

describe('compressed request bodies, as tritonclient sends them', () => {
  it.each<Coding>(['gzip', 'deflate'])('%s: a JSON body is inflated before it is parsed; the answer is the one the uncompressed body gets', async (coding) => {
    const values = ramp(300)
    const plain = await tritonInfer(server.url, values, {binaryInput: false, outputs: 'json', id: 'same'})
    const packed = await tritonInfer(server.url, values, {binaryInput: false, outputs: 'json', id: 'same', request: coding})
    expect(plain.status).toBe(200)
    expect(packed.status).toBe(200)
    expect(tritonResult(packed).json).toEqual(tritonResult(plain).json)
    expect(tritonResult(packed).json.outputs[0].data).toEqual(Array.from(values))
  })

  it.each<Coding>(['gzip', 'deflate'])(
    '%s both ways with binary tensors: Inference-Header-Content-Length counts in the inflated body; the compressed binary answer splits at its own header after decompression',
    async (coding) => {
      const values = ramp(4096)
      const answer = await tritonInfer(server.url, values, {binaryInput: true, request: coding, response: coding})
      expect(answer.status).toBe(200)
      expect(answer.headers['content-encoding']).toBe(coding)
      expect(answer.headers.vary).toBe('Accept-Encoding')
      expect(Number(answer.headers['content-length'])).toBe(answer.wire.length)
      const {json, binary} = tritonResult(answer)
      // The header counts in the decompressed body: the JSON ends exactly there.
      expect(json.outputs[0]).toMatchObject({name: 'y', datatype: 'FP32', shape: [4096], parameters: {binary_data_size: 4 * 4096}})
      const y = binary.get('y')!
      expect(new Float32Array(y.buffer.slice(y.byteOffset, y.byteOffset + y.byteLength))).toEqual(values)
      expect(answer.wire.length).toBeLessThan(decoded(answer).length)
    },
  )

  it('deflate without the zlib header (a raw RFC 1951 stream), x-gzip and identity are read too', async () => {
    const {body, jsonSize} = tritonBody(ramp(64), {binaryInput: true, outputs: 'json'})
    const headers = {'Inference-Header-Content-Length': jsonSize!}
    for (const [coding, bytes] of [
      ['deflate', zlib.deflateRawSync(body)],
      ['x-gzip', zlib.gzipSync(body)],
      ['identity', body],
      ['GZIP', zlib.gzipSync(body)],
    ] as const) {
      const answer = await send(server.url, FP32, {body: bytes, headers: {...headers, 'Content-Encoding': coding}})
      expect(answer.status, coding).toBe(200)
      expect(tritonResult(answer).json.outputs[0].data).toEqual(Array.from(ramp(64)))
    }
  })

  it.each(['br', 'compress', 'zstd', 'snappy', 'gzip, deflate', 'gzip, identity'])('Content-Encoding %j: 415 UNSUPPORTED_CONTENT_ENCODING listing gzip, deflate, identity (and Accept-Encoding says so)', async (coding) => {
    const {body} = tritonBody(ramp(4), {binaryInput: false, outputs: 'json'})
    const answer = await send(server.url, FP32, {body, headers: {'Content-Type': 'application/json', 'Content-Encoding': coding}})
    expect(answer.status).toBe(415)
    expect(answer.headers['accept-encoding']).toBe('gzip, deflate, identity')
    const error = errorOf(answer)
    expect(error.code).toBe('UNSUPPORTED_CONTENT_ENCODING')
    expect(error.error).toContain('gzip, deflate, identity')
    expect(error.error).toContain(JSON.stringify(coding))
  })

  it('a corrupt, truncated or mislabelled stream is 400 INVALID_REQUEST saying what is wrong', async () => {
    const {body} = tritonBody(ramp(2000), {binaryInput: false, outputs: 'json'})
    const gz = zlib.gzipSync(body)
    const flipped = Buffer.from(gz)
    for (let i = 40; i < 60; i++) flipped[i] ^= 0xa5
    const cases: Array<[string, Buffer, RegExp]> = [
      ['gzip', flipped, /^the request body is not valid gzip data \(Content-Encoding: gzip\): /],
      ['gzip', gz.subarray(0, gz.length >> 1), /not valid gzip data.*unexpected end of file/],
      ['gzip', body, /not valid gzip data.*incorrect header check/],
      ['deflate', zlib.deflateSync(body).subarray(0, 100), /not valid deflate data.*unexpected end of file/],
    ]
    for (const [coding, bytes, says] of cases) {
      const answer = await send(server.url, FP32, {body: bytes, headers: {'Content-Encoding': coding}})
      expect(answer.status).toBe(400)
      const error = errorOf(answer)
      expect(error.code).toBe('INVALID_REQUEST')
      expect(error.error).toMatch(says)
    }
  })

  it('max_request_size bounds the inflated size (413), JSON and binary alike; just under it passes', async () => {
    // JSON padded with spaces to exactly `size` bytes: tiny once compressed.
    const padded = (size: number) => {
      const json = tritonBody(ramp(4), {binaryInput: false, outputs: 'json'}).body.toString()
      return Buffer.from(json + ' '.repeat(size - json.length))
    }
    for (const coding of ['gzip', 'deflate'] as const) {
      const under = await send(server.url, FP32, {body: compress(padded(LIMIT), coding), headers: {'Content-Encoding': coding}})
      expect(under.status).toBe(200)
      const over = await send(server.url, FP32, {body: compress(padded(LIMIT + 1), coding), headers: {'Content-Encoding': coding}})
      expect(over.status).toBe(413)
      expect(errorOf(over)).toEqual({code: 'PAYLOAD_TOO_LARGE', error: `the request body, decompressed, is larger than max_request_size (${LIMIT} bytes)`})
    }
    const values = new Float32Array(LIMIT / 4)
    const {body, jsonSize} = tritonBody(values, {binaryInput: true})
    const binary = await send(server.url, FP32, {body: zlib.gzipSync(body), headers: {'Content-Encoding': 'gzip', 'Inference-Header-Content-Length': jsonSize!}})
    expect(binary.status).toBe(413)
    expect(errorOf(binary).code).toBe('PAYLOAD_TOO_LARGE')
    // The compressed bytes are bounded too, as any body's: 2 MiB of random bytes do not shrink.
    const random = zlib.gzipSync(randomBytes(2 * MiB), {level: 0})
    const wire = await send(server.url, FP32, {body: random, headers: {'Content-Encoding': 'gzip'}})
    expect(wire.status).toBe(413)
    expect(errorOf(wire).error).toBe(`the request body is larger than max_request_size (${LIMIT} bytes)`)
  })
})

describe('gzip bombs', () => {
  it('a 1 KiB gzip body that inflates past max_request_size: 413 at once', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(LIMIT + 64 * 1024), {level: 9})
    expect(bomb.length).toBeLessThan(1200)
    const started = performance.now()
    const answer = await send(server.url, FP32, {body: bomb, headers: {'Content-Type': 'application/json', 'Content-Encoding': 'gzip'}})
    expect(answer.status).toBe(413)
    expect(errorOf(answer).code).toBe('PAYLOAD_TOO_LARGE')
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('three gzip streams that would inflate to 10 GiB each, sent at once against the default 64 MiB limit: 413 once each has inflated 64 MiB (what a plain 64 MiB body costs), memory bounded by that, liveness answers', async () => {
    // A gzip stream of zeros flushed every MiB: after the first piece every piece is the same ~1 KiB, so the stream
    // of 10 GiB is the first piece and then the second one 10,239 times (checked to inflate as said, below).
    const gz = zlib.createGzip({level: 9})
    const out: Buffer[] = []
    gz.on('data', (chunk: Buffer) => out.push(chunk))
    const pieces: Buffer[] = []
    for (let i = 0; i < 3; i++) {
      gz.write(Buffer.alloc(MiB))
      await new Promise<void>((resolve) => gz.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()))
      pieces.push(Buffer.concat(out.splice(0)))
    }
    gz.destroy()
    expect(pieces[2].equals(pieces[1])).toBe(true)
    expect(zlib.inflateRawSync(Buffer.concat([pieces[0], pieces[1], pieces[1], Buffer.from([3, 0])]).subarray(10)).length).toBe(3 * MiB)
    const frame = (piece: Buffer) => Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
    const [first, next] = [frame(pieces[0]), frame(pieces[1])]
    /** Sends the 10 GiB stream, chunked, until the server answers. */
    const bomb = async () => {
      const connection = new RawConnection(big.url)
      connection.head('POST', FP32, {'content-type': 'application/json', 'content-encoding': 'gzip', 'transfer-encoding': 'chunked'})
      let inflatesTo = 0
      const sending = (async () => {
        for (let i = 0; i < 10 * 1024; i++) {
          if (!(await connection.write(i === 0 ? first : next))) break
          inflatesTo += MiB
        }
      })()
      const answer = await connection.answer(10_000)
      await sending
      connection.destroy()
      return {answer, sent: connection.sent, inflatesTo}
    }
    const pid = big.child.pid!
    const rssBefore = rssOf(pid)
    let peak = rssBefore
    const probes: number[] = []
    let running = true
    const watch = (async () => {
      for (let i = 0; running && i < 500; i++) {
        peak = Math.max(peak, rssOf(pid))
        const started = performance.now()
        const live = await send(big.url, '/v2/health/live')
        expect(live.status).toBe(200)
        probes.push(performance.now() - started)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })()
    const results = await Promise.all([bomb(), bomb(), bomb()])
    running = false
    await watch
    peak = Math.max(peak, rssOf(pid))
    console.log(
      `3 streamed 10 GiB gzip bombs: 413 in ${results.map((r) => r.answer.ms.toFixed(0)).join(', ')} ms after ${results.map((r) => r.sent).join(', ')} bytes on the wire ` +
        `(${results.map((r) => r.inflatesTo / MiB).join(', ')} MiB of zeros once inflated); RSS ${(rssBefore / MiB).toFixed(0)} -> peak ${(peak / MiB).toFixed(0)} MiB; ` +
        `${probes.length} liveness probes, slowest ${Math.max(...probes).toFixed(1)} ms`,
    )
    for (const {answer, sent} of results) {
      expect(answer.status).toBe(413)
      expect(answer.body).toEqual({code: 'PAYLOAD_TOO_LARGE', error: 'the request body, decompressed, is larger than max_request_size (67108864 bytes)'})
      // Measured alone: ~0.4 s (64 MiB inflated, kept and scanned for depth); three at once on two busy cores: 2-4 s.
      expect(answer.ms).toBeLessThan(8000)
      // 64 MiB of zeros is ~64 KiB of gzip; the loopback socket's buffers take a few MiB more before the answer stops it.
      expect(sent).toBeLessThan(16 * MiB)
    }
    // Three bodies held up to 64 MiB each at the peak, never what they would inflate to.
    expect(peak - rssBefore).toBeLessThan(400 * MiB)
    expect(Math.max(...probes)).toBeLessThan(2000)
  })
})

describe('compressed answers (Accept-Encoding, gzip_enabled, gzip_minimum_size)', () => {
  /** A JSON answer of about 18 KB. */
  const large = (base: string, acceptEncoding?: string) =>
    send(base, FP32, {
      body: tritonBody(ramp(3000), {binaryInput: false, outputs: 'json', id: 'fixed'}).body,
      headers: acceptEncoding === undefined ? {} : {'Accept-Encoding': acceptEncoding},
    })

  it('by q-value: gzip preferred on a tie, deflate when gzip is refused or rated lower, * for either, none when both are refused', async () => {
    const reference = tritonResult(await large(server.url)).json
    const cases: Array<[string, Coding | undefined]> = [
      ['gzip', 'gzip'],
      ['deflate', 'deflate'],
      ['gzip, deflate, br', 'gzip'],
      ['deflate, gzip', 'gzip'],
      ['deflate;q=0.5, gzip;q=0.5', 'gzip'],
      ['gzip;q=0.5, deflate', 'deflate'],
      ['gzip;q=0, *', 'deflate'],
      ['*', 'gzip'],
      ['br;q=1, gzip;q=0.1', 'gzip'],
      ['GZIP;Q=0.8', 'gzip'],
      ['gzip;q=0, deflate;q=0', undefined],
      ['identity', undefined],
      ['br', undefined],
      ['*;q=0', undefined],
    ]
    for (const [accept, coding] of cases) {
      const answer = await large(server.url, accept)
      expect(answer.status).toBe(200)
      expect(answer.headers['content-encoding'], accept).toBe(coding)
      expect(answer.headers.vary).toBe('Accept-Encoding')
      expect(tritonResult(answer).json, accept).toEqual(reference)
      if (coding !== undefined) expect(answer.wire.length).toBeLessThan(decoded(answer).length / 2)
    }
  })

  it('without Accept-Encoding the answer is sent as it is, still with Vary: Accept-Encoding', async () => {
    const answer = await large(server.url)
    expect(answer.headers['content-encoding']).toBeUndefined()
    expect(answer.headers.vary).toBe('Accept-Encoding')
    expect(answer.wire.length).toBeGreaterThan(1000)
    expect(JSON.parse(answer.wire.toString()).outputs[0].data).toHaveLength(3000)
  })

  it('an answer under gzip_minimum_size (1000 by default) is never compressed (infer, metadata, an error)', async () => {
    const small = await tritonInfer(server.url, ramp(8), {binaryInput: false, outputs: 'json', response: 'gzip'})
    const metadata = await send(server.url, '/v2/models/identity_fp32', {headers: {'Accept-Encoding': 'gzip'}})
    const error = await send(server.url, '/v2/models/nope/infer', {body: '{}', headers: {'Accept-Encoding': 'gzip, deflate'}})
    for (const answer of [small, metadata, error]) {
      expect(answer.wire.length).toBeLessThan(1000)
      expect(answer.headers['content-encoding']).toBeUndefined()
      expect(answer.headers.vary).toBeUndefined()
      expect(() => JSON.parse(answer.wire.toString())).not.toThrow()
    }
  })

  it('gzip_enabled false (--no-gzip-enabled): never compressed; gzip_minimum_size 100000 (MLS_GZIP_MINIMUM_SIZE): an 18 KB answer is not, a 180 KB one is', async () => {
    const disabled = await large(off.url, 'gzip')
    expect(disabled.status).toBe(200)
    expect(disabled.headers['content-encoding']).toBeUndefined()
    expect(disabled.headers.vary).toBeUndefined()
    const under = await large(tall.url, 'gzip')
    expect(under.headers['content-encoding']).toBeUndefined()
    expect(under.wire.length).toBeGreaterThan(10_000)
    const over = await send(tall.url, FP32, {body: tritonBody(ramp(30_000), {binaryInput: false, outputs: 'json'}).body, headers: {'Accept-Encoding': 'gzip'}})
    expect(over.headers['content-encoding']).toBe('gzip')
    expect(tritonResult(over).json.outputs[0].data).toHaveLength(30_000)
  })

  it('what compression costs: a small answer is untouched, a large one (500 KB of JSON) is compressed off the event loop (timings logged)', async () => {
    const time = async (label: string, count: number, run: () => Promise<Answer>) => {
      for (let i = 0; i < 3; i++) await run()
      const started = performance.now()
      let wire = 0
      for (let i = 0; i < count; i++) wire = (await run()).wire.length
      const ms = (performance.now() - started) / count
      return {label, ms, wire}
    }
    const smallBody = tritonBody(ramp(8), {binaryInput: false, outputs: 'json'}).body
    const largeBody = tritonBody(ramp(100_000), {binaryInput: true, outputs: 'json'})
    const rows = [
      await time('small JSON, no Accept-Encoding', 200, () => send(server.url, FP32, {body: smallBody})),
      await time('small JSON, Accept-Encoding: gzip', 200, () => send(server.url, FP32, {body: smallBody, headers: {'Accept-Encoding': 'gzip'}})),
      await time('500 KB JSON, no Accept-Encoding', 20, () => send(server.url, FP32, {body: largeBody.body, headers: {'Inference-Header-Content-Length': largeBody.jsonSize!}})),
      await time('500 KB JSON, Accept-Encoding: gzip', 20, () =>
        send(server.url, FP32, {body: largeBody.body, headers: {'Inference-Header-Content-Length': largeBody.jsonSize!, 'Accept-Encoding': 'gzip'}}),
      ),
      await time('500 KB JSON, Accept-Encoding: deflate', 20, () =>
        send(server.url, FP32, {body: largeBody.body, headers: {'Inference-Header-Content-Length': largeBody.jsonSize!, 'Accept-Encoding': 'deflate'}}),
      ),
    ]
    console.log(rows.map((r) => `${r.label}: ${r.ms.toFixed(2)} ms/request, ${r.wire} bytes`).join('\n'))
    expect(rows[0].wire).toBe(rows[1].wire)
    expect(rows[3].wire).toBeLessThan(rows[2].wire / 2)
  })
})

describe('gRPC compression (grpc-js channel option grpc.default_compression_algorithm)', () => {
  /** A TCP proxy that counts the bytes each way, to see what the wire carried. */
  async function countingProxy(target: string) {
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))]
    const counts = {up: 0, down: 0}
    const sockets = new Set<net.Socket>()
    const proxy = net.createServer((client) => {
      const upstream = net.connect(port, host)
      sockets.add(client).add(upstream)
      client.on('data', (d: Buffer) => {
        counts.up += d.length
        upstream.write(d)
      })
      upstream.on('data', (d: Buffer) => {
        counts.down += d.length
        client.write(d)
      })
      const close = () => {
        client.destroy()
        upstream.destroy()
      }
      client.on('close', close).on('error', close)
      upstream.on('close', close).on('error', close)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    return {
      address: `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
      counts,
      close: () => {
        for (const socket of sockets) socket.destroy()
        return new Promise<void>((resolve) => proxy.close(() => resolve()))
      },
    }
  }

  it.each([
    ['identity', 0],
    ['deflate', 1],
    ['gzip', 2],
  ] as const)('%s: the request goes compressed, mls inflates it and answers (its answers are not compressed: grpc-js servers do not compress)', async (name, algorithm) => {
    const proxy = await countingProxy(server.grpcAddress)
    const client = inferenceClient(proxy.address)
    // inferenceClient's options plus the compression; a fresh client per case.
    client.close()
    const Ctor = Object.getPrototypeOf(client).constructor
    const compressed = new Ctor(proxy.address, (await import('@grpc/grpc-js')).credentials.createInsecure(), {
      'grpc.default_compression_algorithm': algorithm,
      'grpc.max_receive_message_length': 64 << 20,
    })
    try {
      // 1 MiB of FP32 that compresses well (a ramp repeats every 251 values).
      const values = ramp(MiB / 4)
      const request = {model_name: 'identity_fp32', inputs: [{name: 'x', datatype: 'FP32', shape: [values.length]}], raw_input_contents: [Buffer.from(values.buffer)]}
      const response: any = await new Promise((resolve, reject) => compressed.ModelInfer(request, (error: Error | null, r: unknown) => (error ? reject(error) : resolve(r))))
      const raw: Buffer = response.raw_output_contents[0]
      expect(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))).toEqual(values)
      console.log(`gRPC ${name}: ${proxy.counts.up} bytes up, ${proxy.counts.down} bytes down for 1 MiB each way`)
      if (algorithm === 0) expect(proxy.counts.up).toBeGreaterThan(MiB)
      else expect(proxy.counts.up).toBeLessThan(MiB / 4)
      expect(proxy.counts.down).toBeGreaterThan(MiB)
    } finally {
      compressed.close()
      await proxy.close()
    }
  })
})
