/**
 * The OpenTelemetry side of tracing: loaded with a dynamic import only when tracing is configured (start-tracing.ts).
 * One server span per inference call (OpenTelemetry's HTTP or RPC server conventions: the span names MLServer's
 * FastAPI and gRPC instrumentations give), its parent the client's W3C traceparent; its children, made when the call
 * ends from the times the data plane read anyway: queue, batch (adaptive batching), decode, predict, encode.
 */
import {ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, trace, type Attributes, type Context, type HrTime, type Span, type Tracer} from '@opentelemetry/api'
import {W3CTraceContextPropagator} from '@opentelemetry/core'
import {defaultResource, detectResources, envDetector, resourceFromAttributes} from '@opentelemetry/resources'
import {BasicTracerProvider, BatchSpanProcessor, type SpanExporter} from '@opentelemetry/sdk-trace-base'
import {ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION} from '@opentelemetry/semantic-conventions'
import type {Tensor} from '../protocol/types.js'
import {rawByteSize} from '../protocol/tensor-size.js'
import {MLS_VERSION} from '../version.js'
import type {CallKind, InferenceTimes, InferenceTrace, InferenceTracer} from './inference-trace.js'
import type {TracingConfig} from './tracing-config.js'

const GRPC_SERVICE = 'inference.GRPCInferenceService'
const propagator = new W3CTraceContextPropagator()

const ORIGIN_S = Math.floor(performance.timeOrigin / 1000)
const ORIGIN_MS = performance.timeOrigin - ORIGIN_S * 1000

/**
 * A performance.now() reading as OpenTelemetry's HrTime. Every span of a call is timed on this one clock: given
 * milliseconds, the SDK would shift each span by its own Date.now() reading (whole milliseconds), and a child of a few
 * microseconds could land outside its parent.
 */
function hr(now: number): HrTime {
  const ms = ORIGIN_MS + now
  const s = Math.floor(ms / 1000)
  return [ORIGIN_S + s, Math.round((ms - s * 1000) * 1e6) % 1e9]
}

async function exporterFor(config: TracingConfig): Promise<SpanExporter> {
  const options = config.url === undefined ? {} : {url: config.url}
  if (config.protocol === 'grpc') return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter(options)
  if (config.protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(options)
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(options)
}

function tensorBytes(tensors: readonly Tensor[]): number {
  let bytes = 0
  for (const tensor of tensors) bytes += rawByteSize(tensor)
  return bytes
}

/** `serviceName`: service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
export async function createOtelTracer(config: TracingConfig, serviceName: string): Promise<InferenceTracer> {
  const resource = defaultResource()
    .merge(resourceFromAttributes({[ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: MLS_VERSION}))
    .merge(detectResources({detectors: [envDetector]}))
  // The sampler is OTEL_TRACES_SAMPLER's (default parentbased_always_on: a client's sampled flag decides), the batch
  // processor's bounds OTEL_BSP_*'s.
  const provider = new BasicTracerProvider({resource, spanProcessors: [new BatchSpanProcessor(await exporterFor(config))]})
  const tracer = provider.getTracer('mls', MLS_VERSION)
  return {
    begin: (call, traceparent, tracestate) => new OtelTrace(tracer, call, traceparent, tracestate),
    shutdown: () => provider.shutdown(),
  }
}

class OtelTrace implements InferenceTrace {
  private readonly span: Span
  private readonly context: Context
  private times?: InferenceTimes
  private encoding?: {since: number; until: number}

  constructor(
    private readonly tracer: Tracer,
    private readonly call: CallKind,
    traceparent: string | undefined,
    tracestate: string | undefined,
  ) {
    const parent = traceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, {traceparent, tracestate}, defaultTextMapGetter)
    let name: string
    let attributes: Attributes
    if (call.transport === 'rest') {
      name = `POST ${call.route}`
      attributes = {'http.request.method': 'POST', 'http.route': call.route, 'url.path': call.path, 'url.scheme': 'http'}
      if (call.requestBytes !== undefined) attributes['http.request.body.size'] = call.requestBytes
    } else {
      name = `${GRPC_SERVICE}/${call.method}`
      attributes = {'rpc.system': 'grpc', 'rpc.service': GRPC_SERVICE, 'rpc.method': call.method}
    }
    this.span = tracer.startSpan(name, {kind: SpanKind.SERVER, attributes, startTime: hr(performance.now())}, parent)
    this.context = trace.setSpan(ROOT_CONTEXT, this.span)
  }

  ran(model: string, version: string | undefined, times: InferenceTimes | undefined, inputs?: readonly Tensor[], outputs?: readonly Tensor[]): void {
    this.span.setAttribute('mls.model.name', model)
    if (version !== undefined) this.span.setAttribute('mls.model.version', version)
    if (inputs !== undefined) this.span.setAttribute('mls.inference.input_bytes', tensorBytes(inputs))
    if (outputs !== undefined) this.span.setAttribute('mls.inference.output_bytes', tensorBytes(outputs))
    this.times = times
  }

  encoded(since: number, bytes?: number): void {
    this.encoding = {since, until: performance.now()}
    if (bytes !== undefined && this.call.transport === 'rest') this.span.setAttribute('http.response.body.size', bytes)
  }

  end(status: number, error?: {readonly code: string; readonly message: string}): void {
    const times = this.times
    if (times !== undefined) {
      this.child('queue', times.started, times.queued)
      this.child('decode', times.queued, times.decoded)
      if (times.batched > 0) {
        this.child('batch', times.decoded, times.batched)
        this.child('predict', times.batched, times.answered)
      } else this.child('predict', times.decoded, times.answered)
    }
    if (this.encoding !== undefined) this.child('encode', this.encoding.since, this.encoding.until)
    this.span.setAttribute(this.call.transport === 'rest' ? 'http.response.status_code' : 'rpc.grpc.status_code', status)
    if (error !== undefined) {
      this.span.setAttributes({'error.type': error.code, 'mls.error.code': error.code})
      this.span.setStatus({code: SpanStatusCode.ERROR, message: error.message})
    }
    this.span.end(hr(performance.now()))
  }

  private child(name: string, start: number, end: number): void {
    this.tracer.startSpan(name, {kind: SpanKind.INTERNAL, startTime: hr(start)}, this.context).end(hr(end))
  }
}
