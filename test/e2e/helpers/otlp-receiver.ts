/**
 * An OTLP trace receiver for the tests, on 127.0.0.1: OTLP/HTTP (POST /v1/traces, application/x-protobuf or
 * application/json) or OTLP/gRPC (TraceService/Export). It decodes every export with protobufjs and the fixture's
 * otlp-trace.proto and keeps the spans, ids as hex, attributes as plain values.
 */
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import protobuf from 'protobufjs'

const PROTO = fileURLToPath(new URL('../../fixtures/otlp-trace.proto', import.meta.url))
const PACKAGE = 'opentelemetry.proto.collector.trace.v1'

export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string
  readonly name: string
  readonly kind: string
  readonly startNs: bigint
  readonly endNs: bigint
  readonly attributes: Record<string, unknown>
  readonly status: {code: string; message: string}
  /** The resource's attributes (service.name ...). */
  readonly resource: Record<string, unknown>
}

export interface Receiver {
  /** http://127.0.0.1:port (HTTP) or 127.0.0.1:port (gRPC). */
  readonly address: string
  readonly spans: ReceivedSpan[]
  /** How many export requests arrived, and their content types (HTTP). */
  readonly exports: string[]
  /** Resolves with the spans of `traceId` once `count` of them arrived; fails after `ms`. */
  waitFor(traceId: string, count: number, ms?: number): Promise<ReceivedSpan[]>
  close(): Promise<void>
}

type Json = Record<string, any>

function hex(value: unknown): string {
  if (value === undefined || value === null) return ''
  // OTLP/JSON writes ids as hex (not base64 as protobuf's JSON mapping would).
  if (typeof value === 'string') return value.toLowerCase()
  return Buffer.from(value as Uint8Array).toString('hex')
}

function anyValue(value: Json | undefined): unknown {
  if (value === undefined || value === null) return undefined
  if ('stringValue' in value || 'string_value' in value) return value.stringValue ?? value.string_value
  if ('intValue' in value || 'int_value' in value) return Number(value.intValue ?? value.int_value)
  if ('doubleValue' in value || 'double_value' in value) return Number(value.doubleValue ?? value.double_value)
  if ('boolValue' in value || 'bool_value' in value) return value.boolValue ?? value.bool_value
  return value
}

function attributes(list: Json[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]))
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER']
const CODES = ['UNSET', 'OK', 'ERROR']

/** The spans of one ExportTraceServiceRequest as a plain object (protobufjs toObject or OTLP/JSON: both field spellings). */
function spansOf(request: Json): ReceivedSpan[] {
  const out: ReceivedSpan[] = []
  for (const rs of request.resourceSpans ?? request.resource_spans ?? []) {
    const resource = attributes(rs.resource?.attributes)
    for (const ss of rs.scopeSpans ?? rs.scope_spans ?? []) {
      for (const s of ss.spans ?? []) {
        const kind = typeof s.kind === 'number' ? KINDS[s.kind] : String(s.kind ?? '').replace('SPAN_KIND_', '')
        const code = s.status?.code
        out.push({
          traceId: hex(s.traceId ?? s.trace_id),
          spanId: hex(s.spanId ?? s.span_id),
          parentSpanId: hex(s.parentSpanId ?? s.parent_span_id),
          name: s.name,
          kind,
          startNs: BigInt(String(s.startTimeUnixNano ?? s.start_time_unix_nano ?? 0)),
          endNs: BigInt(String(s.endTimeUnixNano ?? s.end_time_unix_nano ?? 0)),
          attributes: attributes(s.attributes),
          status: {code: typeof code === 'number' ? CODES[code] : String(code ?? 'UNSET').replace('STATUS_CODE_', ''), message: s.status?.message ?? ''},
          resource,
        })
      }
    }
  }
  return out
}

function receiver(address: string, spans: ReceivedSpan[], exports: string[], close: () => Promise<void>): Receiver {
  return {
    address,
    spans,
    exports,
    async waitFor(traceId, count, ms = 10_000) {
      const deadline = Date.now() + ms
      for (;;) {
        const found = spans.filter((s) => s.traceId === traceId)
        if (found.length >= count) return found
        if (Date.now() > deadline) throw new Error(`${found.length} span(s) of trace ${traceId} after ${ms} ms, ${count} expected; all: ${JSON.stringify(spans.map((s) => [s.traceId, s.name]))}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    },
    close,
  }
}

/** An OTLP/HTTP receiver: POST /v1/traces, protobuf or JSON. */
export async function startHttpReceiver(): Promise<Receiver> {
  const root = await protobuf.load(PROTO)
  const Request = root.lookupType(`${PACKAGE}.ExportTraceServiceRequest`)
  const Response = root.lookupType(`${PACKAGE}.ExportTraceServiceResponse`)
  const spans: ReceivedSpan[] = []
  const exports: string[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const type = String(req.headers['content-type'] ?? '')
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end()
        return
      }
      exports.push(type)
      const body = Buffer.concat(chunks)
      if (type.startsWith('application/x-protobuf')) {
        spans.push(...spansOf(Request.toObject(Request.decode(body), {longs: String, enums: Number, bytes: Buffer}) as Json))
        res.writeHead(200, {'content-type': 'application/x-protobuf'}).end(Buffer.from(Response.encode(Response.create({})).finish()))
      } else if (type.startsWith('application/json')) {
        spans.push(...spansOf(JSON.parse(body.toString('utf8')) as Json))
        res.writeHead(200, {'content-type': 'application/json'}).end('{}')
      } else res.writeHead(415).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return receiver(`http://127.0.0.1:${port}`, spans, exports, () => new Promise((resolve) => server.close(() => resolve())))
}

/** An OTLP/gRPC receiver: TraceService/Export, without TLS. */
export async function startGrpcReceiver(): Promise<Receiver> {
  const definition = protoLoader.loadSync(PROTO, {keepCase: true, longs: String, enums: Number, bytes: Buffer, defaults: false, oneofs: false})
  const service = (grpc.loadPackageDefinition(definition) as any).opentelemetry.proto.collector.trace.v1.TraceService.service as grpc.ServiceDefinition
  const spans: ReceivedSpan[] = []
  const exports: string[] = []
  const server = new grpc.Server()
  server.addService(service, {
    Export: (call: grpc.ServerUnaryCall<Json, Json>, callback: grpc.sendUnaryData<Json>) => {
      exports.push('grpc')
      spans.push(...spansOf(call.request))
      callback(null, {})
    },
  })
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))))
  return receiver(`127.0.0.1:${port}`, spans, exports, () => new Promise((resolve) => server.tryShutdown(() => resolve())))
}
