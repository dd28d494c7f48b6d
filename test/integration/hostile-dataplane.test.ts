/**
 * Hostile round 2, the data plane's part (issue 20): answers bounded before they are built (max_response_size, and
 * JSON text V8 can hold), values out of their datatype's range refused, names and versions capped and every status
 * message bounded on gRPC, and gRPC metrics that count deadlines and cancellations as what they are. In-process:
 * REST through `inject`, gRPC on an in-process server, over the ONNX identity models of test/fixtures/models.
 */
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeRepo} from '../e2e/helpers/fixtures.js'
import {call, failure, inferenceClient, repositoryClient} from '../e2e/helpers/grpc-client.js'
import {SLEEP_RUNTIME, sleepMessage} from '../e2e/helpers/sleep-runtime.js'
import {MAX_JSON_ANSWER, encodeRestResponse} from '../../src/server/rest/binary-response.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const MODELS = fileURLToPath(new URL('../fixtures/models', import.meta.url))
/** max_response_size of the server below: 1000 FP32 values fit exactly. */
const RESPONSE_LIMIT = 4000

let server: InProcessServer
let client: ReturnType<typeof inferenceClient>

beforeAll(async () => {
  server = await startInProcess(MODELS, {flags: {max_response_size: RESPONSE_LIMIT}})
  client = inferenceClient(server.grpcAddress)
})
afterAll(async () => {
  client?.close()
  await server?.close()
})

const fp32Body = (n: number, extra: Record<string, unknown> = {}) => ({inputs: [{name: 'x', datatype: 'FP32', shape: [n], data: new Array(n).fill(0.5)}], ...extra})
const fp32Message = (n: number) => ({model_name: 'identity_fp32', inputs: [{name: 'x', datatype: 'FP32', shape: [n], contents: {fp32s: new Array(n).fill(0.5)}}]})
const fp32Raw = (n: number) => ({model_name: 'identity_fp32', inputs: [{name: 'x', datatype: 'FP32', shape: [n]}], raw_input_contents: [Buffer.from(new Float32Array(n).fill(0.5).buffer)]})
const bytesBody = (elements: string[]) => ({inputs: [{name: 'x', datatype: 'BYTES', shape: [elements.length], data: elements}]})
const TOO_LARGE = /^the answer of model "identity_(fp32|bytes)" would hold (\d+) bytes of output tensors, more than max_response_size \(4000 bytes\)/

describe('max_response_size: the answer is bounded before it is built', () => {
  it('REST JSON: 1000 FP32 values (4000 bytes) answer; 1001 are 400 RESPONSE_TOO_LARGE naming the limit and the size', async () => {
    const ok = await server.postJson('/v2/models/identity_fp32/infer', fp32Body(1000))
    expect(ok.status).toBe(200)
    expect(ok.body.outputs[0].data).toHaveLength(1000)
    const res = await server.postJson('/v2/models/identity_fp32/infer', fp32Body(1001))
    expect(res.status).toBe(400)
    expect(res.body).toEqual({code: 'RESPONSE_TOO_LARGE', error: expect.stringMatching(TOO_LARGE)})
    expect(res.body.error).toContain('would hold 4004 bytes')
  })

  it('REST binary extension answer: the same bound', async () => {
    const ok = await server.raw('/v2/models/identity_fp32/infer', {method: 'POST', body: JSON.stringify(fp32Body(1000, {parameters: {binary_data_output: true}})), headers: {'content-type': 'application/json'}})
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('application/octet-stream')
    const res = await server.postJson('/v2/models/identity_fp32/infer', fp32Body(1001, {parameters: {binary_data_output: true}}))
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('RESPONSE_TOO_LARGE')
  })

  it('REST BYTES: the byte strings\' lengths count (4000 bytes answer, 4001 do not)', async () => {
    expect((await server.postJson('/v2/models/identity_bytes/infer', bytesBody(['a'.repeat(2000), 'b'.repeat(2000)]))).status).toBe(200)
    const res = await server.postJson('/v2/models/identity_bytes/infer', bytesBody(['a'.repeat(2000), 'b'.repeat(2001)]))
    expect(res.status).toBe(400)
    expect(res.body).toEqual({code: 'RESPONSE_TOO_LARGE', error: expect.stringContaining('would hold 4001 bytes')})
  })

  it('gRPC typed contents and raw_output_contents: at the limit OK, past it INVALID_ARGUMENT RESPONSE_TOO_LARGE', async () => {
    expect((await call(client, 'ModelInfer', fp32Message(1000))).outputs[0].contents.fp32s).toHaveLength(1000)
    expect((await call(client, 'ModelInfer', fp32Raw(1000))).raw_output_contents[0]).toHaveLength(4000)
    for (const message of [fp32Message(1001), fp32Raw(1001)]) {
      const result = await failure(client, 'ModelInfer', message)
      expect(result).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'RESPONSE_TOO_LARGE'})
      expect(result.details).toMatch(TOO_LARGE)
    }
  })

  it('gRPC ModelStreamInfer: an answer past the limit ends the stream with RESPONSE_TOO_LARGE after the ones that fit', async () => {
    const stream = client.ModelStreamInfer()
    const answers: unknown[] = []
    const ended = new Promise<{code: number; metadata: any}>((resolve) => {
      stream.on('data', (answer: unknown) => answers.push(answer))
      stream.on('error', resolve)
      stream.on('end', () => resolve({code: 0, metadata: undefined}))
    })
    stream.write(fp32Message(10))
    stream.write(fp32Message(1001))
    stream.end()
    const status = await ended
    expect(answers).toHaveLength(1)
    expect(status.code).toBe(3)
    expect(status.metadata.get('mls-error-code')[0]).toBe('RESPONSE_TOO_LARGE')
  })

  it('a JSON answer V8 could not hold as one string is 400 RESPONSE_TOO_LARGE before any text is built (was a 500 "Invalid string length")', () => {
    // 22 M FP16 values: 44 MB raw (under the default 64 MiB limit), up to 25 JSON characters each: more than V8's
    // longest string. The values are long in JSON too: the old encoder tried, and JSON.stringify threw.
    const n = 22_000_000
    const data = new Float32Array(n).fill(Math.fround(-1.1754942e-38))
    const result = {model_name: 'big', id: '1', outputs: [{name: 'y', datatype: 'FP16' as const, shape: [n], data}]}
    let thrown: any
    try {
      encodeRestResponse(result, {})
    } catch (error) {
      thrown = error
    }
    expect(thrown?.code).toBe('RESPONSE_TOO_LARGE')
    expect(thrown.message).toMatch(new RegExp(`^the answer of model "big" as JSON could take \\d+ characters, more than a JSON answer may \\(${MAX_JSON_ANSWER}\\); ask for the outputs as binary data`))
    // As binary data the same answer is built: 44 MB of raw FP16 after its JSON header.
    const binary = encodeRestResponse(result, {parameters: {binary_data_output: true}})
    expect(binary.kind).toBe('binary')
    expect(binary.kind === 'binary' && binary.body.length - binary.headerLength).toBe(2 * n)
  })
})

describe('values beyond their datatype\'s range are 400 INVALID_DATA naming input, index, value and range (not Infinity, not wrap-around)', () => {
  const FP32_RANGE = '[-3.4028234663852886e+38, 3.4028234663852886e+38]'
  // [datatype, the JSON text of the data, the message's end]
  const cases: Array<[string, string, string]> = [
    ['FP32', '[1, 1e39]', `element 1 is 1e+39, expected a value in the FP32 range ${FP32_RANGE}`],
    ['FP32', '[-1e39, 1]', `element 0 is -1e+39, expected a value in the FP32 range ${FP32_RANGE}`],
    ['FP16', '[65504, 65520]', 'element 1 is 65520, expected a value in the FP16 range [-65504, 65504]'],
    ['FP64', '[1e400, 0]', 'element 0 is Infinity, expected a value in the FP64 range [-1.7976931348623157e+308, 1.7976931348623157e+308]'],
    ['INT8', '[127, 128]', 'element 1 is 128, expected a value in the INT8 range [-128, 127]'],
    ['INT8', '[-129, 0]', 'element 0 is -129, expected a value in the INT8 range [-128, 127]'],
    ['UINT8', '[0, -1]', 'element 1 is -1, expected a value in the UINT8 range [0, 255]'],
    ['INT16', '[32768, 0]', 'element 0 is 32768, expected a value in the INT16 range [-32768, 32767]'],
    ['UINT32', '[4294967296, 0]', 'element 0 is 4294967296, expected a value in the UINT32 range [0, 4294967295]'],
    ['INT32', '[0, 2147483648]', 'element 1 is 2147483648, expected a value in the INT32 range [-2147483648, 2147483647]'],
    ['UINT64', '[18446744073709551616, 0]', 'element 0 is 18446744073709552000, expected an integer within ±(2^53 - 1): larger UINT64 values lose digits as JSON numbers (UINT64 range [0, 18446744073709551615]); send them as raw bytes'],
    ['UINT64', '[1e20, 0]', 'element 0 is 100000000000000000000, expected a value in the UINT64 range [0, 18446744073709551615]'],
    ['INT64', '[0, 9223372036854775808]', 'element 1 is 9223372036854776000, expected an integer within ±(2^53 - 1): larger INT64 values lose digits as JSON numbers (INT64 range [-9223372036854775808, 9223372036854775807]); send them as raw bytes'],
  ]
  for (const [datatype, data, says] of cases) {
    it(`REST JSON ${datatype} ${data}`, async () => {
      const text = `{"inputs":[{"name":"x","datatype":"${datatype}","shape":[2],"data":${data}}]}`
      const res = await server.request(`/v2/models/identity_${datatype.toLowerCase()}/infer`, {method: 'POST', body: text, headers: {'content-type': 'application/json'}})
      expect(res.status).toBe(400)
      expect(res.body.code).toBe('INVALID_DATA')
      expect(res.body.error).toBe(`input "x": ${says}${says.endsWith('raw bytes') ? ' (binary extension or gRPC raw_input_contents)' : ''}`)
    })
  }

  it('REST JSON: the largest values of each float type still answer (65519 rounds to FP16\'s 65504)', async () => {
    const fp32 = await server.postJson('/v2/models/identity_fp32/infer', {inputs: [{name: 'x', datatype: 'FP32', shape: [2], data: [3.4028234663852886e38, -3.4028235e38]}]})
    expect(fp32.status).toBe(200)
    expect(fp32.body.outputs[0].data).toEqual([3.4028234663852886e38, -3.4028234663852886e38])
    const fp16 = await server.postJson('/v2/models/identity_fp16/infer', {inputs: [{name: 'x', datatype: 'FP16', shape: [2], data: [65519, -65504]}]})
    expect(fp16.status).toBe(200)
    expect(fp16.body.outputs[0].data).toEqual([65504, -65504])
  })

  it('gRPC: int_contents past INT8, and fp64_contents past FP32 converted for an FP32 input, are INVALID_DATA; a real infinity in fp32_contents is taken', async () => {
    const int8 = await failure(client, 'ModelInfer', {model_name: 'identity_int8', inputs: [{name: 'x', datatype: 'INT8', shape: [2], contents: {ints: [1, 200]}}]})
    expect(int8).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_DATA', details: 'input "x": element 1 is 200, expected a value in the INT8 range [-128, 127]'})
    const fp32 = await failure(client, 'ModelInfer', {model_name: 'identity_fp32', inputs: [{name: 'x', datatype: 'FP64', shape: [2], contents: {fp64s: [1e39, 1]}}]})
    expect(fp32).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_DATA', details: `input "x": element 0 is 1e+39, expected a value in the FP32 range ${FP32_RANGE}`})
    const infinity = await call(client, 'ModelInfer', {model_name: 'identity_fp32', inputs: [{name: 'x', datatype: 'FP32', shape: [2], contents: {fp32s: [Infinity, -Infinity]}}]})
    expect(infinity.outputs[0].contents.fp32s).toEqual([Infinity, -Infinity])
  })
})

describe('gRPC answers every call: names capped, status messages bounded', () => {
  // 100 KB: quoted in a status, its trailer was too large to send (the call never ended; 70 KB was just sent in-process).
  const HUGE = 'm'.repeat(100_000)
  /** A unary call with a 5 s deadline: resolves with its status (a call that never ends fails the test on the deadline). */
  function status(target: any, method: string, request: unknown): Promise<{code: string; details: string; errorCode: unknown}> {
    return new Promise((resolve) =>
      target[method](request, {deadline: Date.now() + 5000}, (error: grpc.ServiceError | null) =>
        resolve(error ? {code: grpc.status[error.code], details: error.details, errorCode: error.metadata.get('mls-error-code')[0]} : {code: 'OK', details: '', errorCode: undefined}),
      ),
    )
  }
  const NAME_TOO_LONG = /^the model (name|version) is 100000 characters long; model names and versions are at most 500 characters$/

  it('a 100 KB model name or version: INVALID_ARGUMENT INVALID_REQUEST at once on every method that takes one', async () => {
    const repository = repositoryClient(server.grpcAddress)
    try {
      const calls: Array<[any, string, unknown]> = [
        [client, 'ModelInfer', {...fp32Message(1), model_name: HUGE}],
        [client, 'ModelInfer', {...fp32Message(1), model_version: HUGE}],
        [client, 'ModelMetadata', {name: HUGE}],
        [client, 'ModelMetadata', {name: 'identity_fp32', version: HUGE}],
        [client, 'ModelReady', {name: HUGE}],
        [client, 'ModelReady', {name: 'identity_fp32', version: HUGE}],
        [client, 'RepositoryModelLoad', {model_name: HUGE}],
        [client, 'RepositoryModelUnload', {model_name: HUGE}],
        [repository, 'RepositoryModelLoad', {model_name: HUGE}],
        [repository, 'RepositoryModelUnload', {model_name: HUGE}],
      ]
      for (const [target, method, request] of calls) {
        const result = await status(target, method, request)
        expect(result, method).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'INVALID_REQUEST'})
        expect(result.details, method).toMatch(NAME_TOO_LONG)
      }
    } finally {
      repository.close()
    }
  })

  it('a 100 KB model name on ModelStreamInfer ends the stream with INVALID_ARGUMENT', async () => {
    const stream = client.ModelStreamInfer({deadline: Date.now() + 5000})
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('error', resolve)
      stream.on('data', () => undefined)
      stream.write({...fp32Message(1), model_name: HUGE})
    })
    expect(grpc.status[error.code]).toBe('INVALID_ARGUMENT')
    expect(error.details).toMatch(NAME_TOO_LONG)
    stream.end()
  })

  it('an error quoting a 100 KB value is bounded: REST at 4096 characters, gRPC at 4096 bytes as it travels, the value cut at 1024', async () => {
    const name = 'n'.repeat(100_000)
    const input = {name, datatype: 'FP32', shape: [1], data: [1]}
    const rest = await server.postJson('/v2/models/identity_fp32/infer', {inputs: [input, input]})
    expect(rest.status).toBe(400)
    expect(rest.body).toEqual({code: 'INPUT_MISMATCH', error: `input "${'n'.repeat(1024)}…" is given more than once`})
    const typed = {name, datatype: 'FP32', shape: [1], contents: {fp32s: [1]}}
    const result = await status(client, 'ModelInfer', {model_name: 'identity_fp32', inputs: [typed, typed]})
    expect(result).toEqual({code: 'INVALID_ARGUMENT', errorCode: 'INPUT_MISMATCH', details: `input "${'n'.repeat(1024)}…" is given more than once`})
    // Many short quoted values, spaces and CJK (9 bytes each encoded): the whole is cut, as it travels.
    const outputs = Array.from({length: 3000}, (_, i) => ({name: `中 ${i}`}))
    const unknown = await status(client, 'ModelInfer', {...fp32Message(1), outputs})
    expect(unknown).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'OUTPUT_NOT_FOUND'})
    expect(unknown.details).toMatch(/^model "identity_fp32" has no output "中 0", "中 1", /)
    expect(unknown.details.endsWith('…')).toBe(true)
    expect(encodeURI(unknown.details).length).toBeLessThanOrEqual(4096)
    const restUnknown = await server.postJson('/v2/models/identity_fp32/infer', {...fp32Body(1), outputs})
    expect(restUnknown.body.code).toBe('OUTPUT_NOT_FOUND')
    expect(restUnknown.body.error).toHaveLength(4096)
    expect(restUnknown.body.error.endsWith('…')).toBe(true)
  })

  it('grpc.health.v1 Check of a 100 KB service name answers NOT_FOUND with a bounded message', async () => {
    const definition = protoLoader.loadSync(fileURLToPath(new URL('../../proto/health.proto', import.meta.url)), {keepCase: true})
    const Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health
    const health = new Health(server.grpcAddress, grpc.credentials.createInsecure())
    try {
      const result = await status(health, 'Check', {service: HUGE})
      expect(result.code).toBe('NOT_FOUND')
      expect(result.details).toBe(`unknown service "${'m'.repeat(1024)}…"`)
    } finally {
      health.close()
    }
  })
})

describe('gRPC metrics tell the truth: deadlines and cancellations', () => {
  let slowServer: InProcessServer
  let slowClient: ReturnType<typeof inferenceClient>
  let repo: ReturnType<typeof makeRepo>
  beforeAll(async () => {
    repo = makeRepo({
      // Sleeps asynchronously (and stops on its signal), and holds the thread (as onnxruntime's run() does).
      'models/slow/model-settings.json': JSON.stringify({name: 'slow', implementation: './runtime.ts'}),
      'models/slow/runtime.ts': SLEEP_RUNTIME,
      'models/busy/model-settings.json': JSON.stringify({name: 'busy', implementation: './runtime.ts', parameters: {extra: {busy: true}}}),
      'models/busy/runtime.ts': SLEEP_RUNTIME,
    })
    slowServer = await startInProcess(repo.dir)
    slowClient = inferenceClient(slowServer.grpcAddress)
    // The connection is up before the first timed call: a deadline or cancel that fires while the client still connects
    // never reaches the server (a loaded CI machine took longer than the 200 ms deadline to connect once).
    await new Promise<void>((resolve, reject) => slowClient.ServerReady({}, (error: grpc.ServiceError | null) => (error ? reject(error) : resolve())))
  })
  afterAll(async () => {
    slowClient?.close()
    await slowServer?.close()
    repo?.cleanup()
  })

  /** The value of one sample in the metrics text (0 when absent). */
  async function sample(line: string): Promise<number> {
    const found = (await slowServer.metrics!.text()).split('\n').find((l) => l.startsWith(line + ' '))
    return found === undefined ? 0 : Number(found.slice(line.length + 1))
  }
  /** Polls until `line` reads `value` (at most 250 tries, 20 ms apart); returns what it read last. */
  async function until(line: string, value: number): Promise<number> {
    let last = 0
    for (let i = 0; i < 250 && (last = await sample(line)) !== value; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    return last
  }
  const handled = (code: string, method = 'ModelInfer') => `grpc_server_handled_total{grpc_method="${method}",grpc_code="${code}"}`
  const model = (name: string, kind: 'success' | 'failure') => `model_infer_request_${kind}_total{model="${name}",version=""}`
  const withDeadline = (name: string, sleepMs: number, deadlineMs: number) =>
    new Promise<number>((resolve) => slowClient.ModelInfer(sleepMessage(name, sleepMs), {deadline: Date.now() + deadlineMs}, (error: grpc.ServiceError | null) => resolve(error?.code ?? 0)))

  it('a unary call whose deadline passes counts DEADLINE_EXCEEDED and a model failure (async runtime)', async () => {
    const before = {deadline: await sample(handled('DEADLINE_EXCEEDED')), cancelled: await sample(handled('CANCELLED')), failure: await sample(model('slow', 'failure'))}
    expect(await withDeadline('slow', 2000, 200)).toBe(grpc.status.DEADLINE_EXCEEDED)
    expect(await until(handled('DEADLINE_EXCEEDED'), before.deadline + 1)).toBe(before.deadline + 1)
    expect(await sample(handled('CANCELLED'))).toBe(before.cancelled)
    expect(await sample(model('slow', 'failure'))).toBe(before.failure + 1)
    expect(await sample(model('slow', 'success'))).toBe(0)
  })

  it('a unary call whose deadline passes while the runtime holds the thread counts DEADLINE_EXCEEDED, not OK nor a model success', async () => {
    const before = {deadline: await sample(handled('DEADLINE_EXCEEDED')), ok: await sample(handled('OK')), failure: await sample(model('busy', 'failure'))}
    expect(await withDeadline('busy', 400, 150)).toBe(grpc.status.DEADLINE_EXCEEDED)
    expect(await until(handled('DEADLINE_EXCEEDED'), before.deadline + 1)).toBe(before.deadline + 1)
    expect(await sample(handled('OK'))).toBe(before.ok)
    expect(await sample(model('busy', 'success'))).toBe(0)
    expect(await sample(model('busy', 'failure'))).toBe(before.failure + 1)
  })

  it('a unary call the client cancels counts CANCELLED', async () => {
    const before = await sample(handled('CANCELLED'))
    const pending = slowClient.ModelInfer(sleepMessage('slow', 2000), () => undefined)
    setTimeout(() => pending.cancel(), 100)
    expect(await until(handled('CANCELLED'), before + 1)).toBe(before + 1)
  })

  it('a ModelStreamInfer the client cancels while idle counts CANCELLED, not OK', async () => {
    const before = {cancelled: await sample(handled('CANCELLED', 'ModelStreamInfer')), ok: await sample(handled('OK', 'ModelStreamInfer'))}
    const stream = slowClient.ModelStreamInfer()
    stream.on('error', () => undefined)
    const answered = new Promise((resolve) => stream.once('data', resolve))
    stream.write(sleepMessage('slow', 0))
    await answered
    stream.cancel()
    expect(await until(handled('CANCELLED', 'ModelStreamInfer'), before.cancelled + 1)).toBe(before.cancelled + 1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await sample(handled('OK', 'ModelStreamInfer'))).toBe(before.ok)
  })
})
