/**
 * OpenTelemetry tracing through the built CLI, with a real OTLP receiver on loopback (helpers/otlp-receiver.ts) that
 * decodes what the server exports: over OTLP/HTTP protobuf (OTEL_EXPORTER_OTLP_*), every inference over REST and gRPC
 * has a server span whose parent is the client's traceparent, with its model, status and sizes, and children for its
 * phases (a batch span with adaptive batching); `mls infer --trace` starts a trace; tracing_server exports over
 * OTLP/gRPC, and the spans still buffered are exported on SIGTERM; with tracing not configured no OpenTelemetry module
 * is loaded (helpers/record-loads.mjs).
 */
import {randomBytes} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import * as grpc from '@grpc/grpc-js'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MNIST_DIR, makeRepo, readTestSet, rowRequest} from './helpers/fixtures.js'
import {inferenceClient} from './helpers/grpc-client.js'
import {postJson} from './helpers/http.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'
import {startGrpcReceiver, startHttpReceiver, type ReceivedSpan, type Receiver} from './helpers/otlp-receiver.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const REPO = {
  'mnist/model-settings.json': JSON.stringify({implementation: 'sklearn'}),
  'mnist/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
  'batched/model-settings.json': JSON.stringify({implementation: 'sklearn', max_batch_size: 16, max_batch_time: 0.05}),
  'batched/model.onnx': {copy: path.join(MNIST_DIR, 'model.onnx')},
}
/** No OTEL_* of the environment the tests run in reaches the servers unless a test sets it. */
const NO_OTEL = {OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_EXPORTER_OTLP_PROTOCOL: '', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: '', OTEL_SDK_DISABLED: '', OTEL_TRACES_EXPORTER: '', MLS_TRACING_SERVER: ''}
const PRELOAD = new URL('./helpers/record-loads.mjs', import.meta.url).href

/** A client span: a new trace id and span id, as a traced client would send them. */
function clientSpan(): {traceId: string; spanId: string; traceparent: string} {
  const traceId = randomBytes(16).toString('hex')
  const spanId = randomBytes(8).toString('hex')
  return {traceId, spanId, traceparent: `00-${traceId}-${spanId}-01`}
}

function grpcInfer(address: string, request: unknown, traceparent: string): Promise<{error: grpc.ServiceError | null; response: any}> {
  const client = inferenceClient(address)
  const metadata = new grpc.Metadata()
  metadata.set('traceparent', traceparent)
  return new Promise((resolve) =>
    client.ModelInfer(request, metadata, (error: grpc.ServiceError | null, response: unknown) => {
      client.close()
      resolve({error, response})
    }),
  )
}

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name)

/** The server span of a trace and its children: each child's parent is the server span, and it lies within it. */
function tree(spans: ReceivedSpan[], serverName: string): {server: ReceivedSpan; children: Map<string, ReceivedSpan>} {
  const [server, ...others] = byName(spans, serverName)
  expect(server, `a span named ${serverName}`).toBeDefined()
  expect(others).toEqual([])
  expect(server.kind).toBe('SERVER')
  const children = new Map(spans.filter((s) => s !== server).map((s) => [s.name, s]))
  for (const child of children.values()) {
    expect(child.parentSpanId).toBe(server.spanId)
    expect(child.kind).toBe('INTERNAL')
    expect(child.startNs >= server.startNs && child.endNs <= server.endNs).toBe(true)
  }
  return {server, children}
}

describe('tracing over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT, http/protobuf)', () => {
  let receiver: Receiver
  let server: MlsProcess
  let repo: ReturnType<typeof makeRepo>
  beforeAll(async () => {
    receiver = await startHttpReceiver()
    repo = makeRepo(REPO)
    server = await startMls(repo.dir, {
      env: {...NO_OTEL, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.address, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'mls-e2e'},
    })
  })
  afterAll(async () => {
    await server?.stop()
    await receiver?.close()
    repo?.cleanup()
  })

  it('REST: the server span is the child of the client traceparent, with model, status and sizes; queue, decode, predict and encode are its children', async () => {
    const client = clientSpan()
    const res = await postJson(`${server.url}/v2/models/mnist/infer`, rowRequest(mnist, 0), {traceparent: client.traceparent})
    expect(res.status).toBe(200)
    const spans = await receiver.waitFor(client.traceId, 5)
    const {server: span, children} = tree(spans, 'POST /v2/models/{model_name}/infer')
    expect(span.parentSpanId).toBe(client.spanId)
    expect(span.status.code).toBe('UNSET')
    expect(span.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v2/models/{model_name}/infer',
      'url.path': '/v2/models/mnist/infer',
      'http.response.status_code': 200,
      'mls.model.name': 'mnist',
      'mls.inference.input_bytes': 64 * 4,
      'mls.inference.output_bytes': 8,
    })
    expect(span.attributes['http.request.body.size']).toBeGreaterThan(0)
    expect(span.attributes['http.response.body.size']).toBe(Buffer.byteLength(JSON.stringify(res.body)))
    expect([...children.keys()].sort()).toEqual(['decode', 'encode', 'predict', 'queue'])
    expect(span.resource).toMatchObject({'service.name': 'mls-e2e'})
  })

  it('gRPC ModelInfer: the server span follows the traceparent metadata, with the RPC attributes', async () => {
    const client = clientSpan()
    const input = rowRequest(mnist, 1).inputs[0]
    const {error} = await grpcInfer(server.grpcAddress, {model_name: 'mnist', inputs: [{name: input.name, datatype: 'FP32', shape: input.shape, contents: {fp32s: input.data}}]}, client.traceparent)
    expect(error).toBeNull()
    const spans = await receiver.waitFor(client.traceId, 5)
    const {server: span, children} = tree(spans, 'inference.GRPCInferenceService/ModelInfer')
    expect(span.parentSpanId).toBe(client.spanId)
    expect(span.attributes).toMatchObject({'rpc.system': 'grpc', 'rpc.service': 'inference.GRPCInferenceService', 'rpc.method': 'ModelInfer', 'rpc.grpc.status_code': 0, 'mls.model.name': 'mnist'})
    expect([...children.keys()].sort()).toEqual(['decode', 'encode', 'predict', 'queue'])
  })

  it('gRPC ModelStreamInfer to a model that does not stream: each request has its own server span', async () => {
    const client = inferenceClient(server.grpcAddress)
    const metadata = new grpc.Metadata()
    const parent = clientSpan()
    metadata.set('traceparent', parent.traceparent)
    const input = rowRequest(mnist, 3).inputs[0]
    const message = {model_name: 'mnist', inputs: [{name: input.name, datatype: 'FP32', shape: input.shape, contents: {fp32s: input.data}}]}
    const stream = client.ModelStreamInfer(metadata)
    const answers: unknown[] = []
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (answer: unknown) => answers.push(answer))
      stream.on('end', resolve)
      stream.on('error', reject)
    })
    stream.write(message)
    stream.write(message)
    stream.end()
    await ended
    client.close()
    expect(answers).toHaveLength(2)
    const spans = await receiver.waitFor(parent.traceId, 10)
    const servers = byName(spans, 'inference.GRPCInferenceService/ModelStreamInfer')
    expect(servers).toHaveLength(2)
    for (const span of servers) {
      expect(span.parentSpanId).toBe(parent.spanId)
      expect(span.attributes).toMatchObject({'rpc.method': 'ModelStreamInfer', 'rpc.grpc.status_code': 0, 'mls.model.name': 'mnist'})
      expect(spans.filter((s) => s.parentSpanId === span.spanId).map((s) => s.name).sort()).toEqual(['decode', 'encode', 'predict', 'queue'])
    }
  })

  it('a failed inference: the span has the error status, the mapped HTTP status and the stable error code', async () => {
    const client = clientSpan()
    const res = await postJson(`${server.url}/v2/models/mnist/infer`, {inputs: [{name: 'predict', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3]}]}, {traceparent: client.traceparent})
    expect(res.status).toBe(400)
    const [span] = await receiver.waitFor(client.traceId, 1)
    expect(span.parentSpanId).toBe(client.spanId)
    expect(span.status.code).toBe('ERROR')
    expect(span.attributes).toMatchObject({'http.response.status_code': 400, 'mls.error.code': res.body.code, 'error.type': res.body.code, 'mls.model.name': 'mnist'})
  })

  it('adaptive batching: concurrent requests each have a batch span between decode and predict', async () => {
    const clients = Array.from({length: 4}, clientSpan)
    const results = await Promise.all(clients.map((c, i) => postJson(`${server.url}/v2/models/batched/infer`, rowRequest(mnist, i), {traceparent: c.traceparent})))
    for (const res of results) expect(res.status).toBe(200)
    for (const c of clients) {
      const spans = await receiver.waitFor(c.traceId, 6)
      const {children} = tree(spans, 'POST /v2/models/{model_name}/infer')
      expect([...children.keys()].sort()).toEqual(['batch', 'decode', 'encode', 'predict', 'queue'])
      expect(children.get('batch')!.startNs >= children.get('decode')!.endNs - 1000n).toBe(true)
      expect(children.get('predict')!.startNs >= children.get('batch')!.endNs - 1000n).toBe(true)
    }
  })

  it('mls infer --trace sends a traceparent (REST and gRPC) and prints its trace id', async () => {
    for (const transport of [[], ['--grpc']]) {
      const {code, stderr} = await runMls(['infer', '--url', server.url, '--grpc-url', server.grpcAddress, ...transport, '-m', 'mnist', '--data', JSON.stringify(rowRequest(mnist, 2)), '--trace'])
      expect(code, stderr).toBe(0)
      const traceId = /trace id: ([0-9a-f]{32})/.exec(stderr)?.[1]
      expect(traceId).toBeDefined()
      const spans = await receiver.waitFor(traceId!, 5)
      const serverSpan = spans.find((s) => s.kind === 'SERVER')!
      expect(serverSpan.parentSpanId).toMatch(/^[0-9a-f]{16}$/)
      expect(serverSpan.name).toBe(transport.length === 0 ? 'POST /v2/models/{model_name}/infer' : 'inference.GRPCInferenceService/ModelInfer')
    }
  })
})

describe('tracing_server (OTLP/gRPC) and the export of buffered spans on SIGTERM', () => {
  it('exports over gRPC to tracing_server; a span still buffered (60 s schedule) is exported before the process exits', async () => {
    const receiver = await startGrpcReceiver()
    const repo = makeRepo(REPO)
    const records = mkdtempSync(path.join(tmpdir(), 'mls-loads-'))
    const record = path.join(records, 'loads.jsonl')
    try {
      const server = await startMls(repo.dir, {
        args: ['--tracing-server', receiver.address],
        env: {...NO_OTEL, OTEL_BSP_SCHEDULE_DELAY: '60000', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(), MLS_TEST_LOAD_RECORD: record},
      })
      await server.expectLog(/tracing: spans exported over OTLP \(grpc\) to http:\/\/127\.0\.0\.1:\d+ \(tracing_server\)/)
      const client = clientSpan()
      expect((await postJson(`${server.url}/v2/models/mnist/infer`, rowRequest(mnist, 0), {traceparent: client.traceparent})).status).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(receiver.spans).toEqual([])
      expect(await server.stop('SIGTERM')).toBe(0)
      const spans = await receiver.waitFor(client.traceId, 5, 1000)
      expect(tree(spans, 'POST /v2/models/{model_name}/infer').server.parentSpanId).toBe(client.spanId)
      expect(receiver.exports[0]).toBe('grpc')
      // The control of the test below: a traced server did load OpenTelemetry's modules.
      expect(readFileSync(record, 'utf8')).toContain(`${path.sep}@opentelemetry${path.sep}sdk-trace-base${path.sep}`)
    } finally {
      await receiver.close()
      repo.cleanup()
      rmSync(records, {recursive: true, force: true})
    }
  })
})

describe('tracing not configured', () => {
  it('loads no OpenTelemetry module, and a traceparent changes nothing', async () => {
    const repo = makeRepo(REPO)
    const records = mkdtempSync(path.join(tmpdir(), 'mls-loads-'))
    const record = path.join(records, 'loads.jsonl')
    try {
      const server = await startMls(repo.dir, {env: {...NO_OTEL, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(), MLS_TEST_LOAD_RECORD: record}})
      const res = await postJson(`${server.url}/v2/models/mnist/infer`, rowRequest(mnist, 0), {traceparent: clientSpan().traceparent})
      expect(res.status).toBe(200)
      const {error} = await grpcInfer(server.grpcAddress, {model_name: 'mnist', inputs: [{name: 'predict', datatype: 'FP32', shape: [1, 64], contents: {fp32s: rowRequest(mnist, 0).inputs[0].data}}]}, clientSpan().traceparent)
      expect(error).toBeNull()
      expect(await server.stop('SIGTERM')).toBe(0)
      expect(server.logs()).not.toContain('tracing:')
      const loaded = readFileSync(record, 'utf8')
      expect(loaded).toContain('onnxruntime') // the record holds what the server loaded
      // prom-client (the metrics) loads @opentelemetry/api itself, whatever tracing says: no other OpenTelemetry module.
      const otel = [...new Set(loaded.match(/@opentelemetry\/[\w.-]+/g) ?? [])]
      expect(otel.filter((name) => name !== '@opentelemetry/api')).toEqual([])
    } finally {
      repo.cleanup()
      rmSync(records, {recursive: true, force: true})
    }
  })
})
