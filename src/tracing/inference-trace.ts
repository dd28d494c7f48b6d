/**
 * What the data plane and the transports tell tracing about one inference, free of any tracing library: the
 * OpenTelemetry SDK is loaded only when tracing is configured (start-tracing.ts), and with it off no trace object
 * exists, so the request path pays one `undefined` check.
 */
import type {Tensor} from '../protocol/types.js'

/** The performance.now() readings that bound an inference's phases in the data plane (statistics.ts reads the same). */
export interface InferenceTimes {
  /** The data plane took the request. */
  readonly started: number
  /** It reached the runtime's door (after admission and, with a memory_budget, its version's load). */
  readonly queued: number
  /** Its body was decoded into the runtime's tensors. */
  readonly decoded: number
  /** With adaptive batching, when its batch began to run; 0 when it did not wait in a batch. */
  readonly batched: number
  /** The runtime answered. */
  readonly answered: number
  /** The data plane's answer was built. */
  readonly ended: number
}

/** One traced inference: the server span, begun by the transport when the call arrived. */
export interface InferenceTrace {
  /** The data plane: the model, and (for a request answered) its phases and the raw bytes of its tensors. */
  ran(model: string, version: string | undefined, times: InferenceTimes | undefined, inputs?: readonly Tensor[], outputs?: readonly Tensor[]): void
  /** The transport: it encoded the answer from `since` (performance.now()) to now; `bytes`, the body's size when known. */
  encoded(since: number, bytes?: number): void
  /** The transport: the call ended with `status` (HTTP status or gRPC code); `error`, the stable code of a failure. */
  end(status: number, error?: {readonly code: string; readonly message: string}): void
}

/** Where a call came in: the attributes of its server span (OpenTelemetry's HTTP or RPC server conventions). */
export type CallKind =
  | {readonly transport: 'rest'; readonly route: string; readonly path: string; readonly requestBytes?: number}
  | {readonly transport: 'grpc'; readonly method: 'ModelInfer' | 'ModelStreamInfer'}

/** Tracing, when it is configured. */
export interface InferenceTracer {
  /** Begins the server span of one inference call; `traceparent`/`tracestate` are the client's W3C headers (metadata). */
  begin(call: CallKind, traceparent?: string, tracestate?: string): InferenceTrace
  /** Exports the spans still buffered and stops (the server's stop sequence). */
  shutdown(): Promise<void>
}
