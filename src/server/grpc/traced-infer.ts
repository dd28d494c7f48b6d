/**
 * A gRPC inference with tracing configured: inside a server span whose parent is the client's `traceparent` metadata.
 * `run` is the untraced call given the span to tell the data plane; `encode` makes the response message (timed).
 */
import * as grpc from '@grpc/grpc-js'
import type {InferenceResult} from '../../protocol/types.js'
import type {InferenceTrace, InferenceTracer} from '../../tracing/inference-trace.js'
import {toServiceError} from './error-map.js'

function first(metadata: grpc.Metadata, key: string): string | undefined {
  const [value] = metadata.get(key)
  return typeof value === 'string' ? value : undefined
}

export async function tracedCall<T>(
  tracer: InferenceTracer,
  method: 'ModelInfer' | 'ModelStreamInfer',
  metadata: grpc.Metadata,
  run: (trace: InferenceTrace) => Promise<{result: InferenceResult; raw: boolean}>,
  encode: (result: InferenceResult, raw: boolean) => T,
): Promise<T> {
  const trace = tracer.begin({transport: 'grpc', method}, first(metadata, 'traceparent'), first(metadata, 'tracestate'))
  try {
    const {result, raw} = await run(trace)
    const since = performance.now()
    const response = encode(result, raw)
    trace.encoded(since)
    trace.end(grpc.status.OK)
    return response
  } catch (thrown) {
    const status = toServiceError(thrown)
    trace.end(status.code ?? grpc.status.UNKNOWN, status.error)
    throw thrown
  }
}
