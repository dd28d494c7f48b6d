/** A W3C traceparent for a client that starts a trace (`mls infer --trace`): a new trace id and span id, sampled. */
import {randomBytes} from 'node:crypto'

export interface NewTrace {
  readonly traceparent: string
  readonly traceId: string
}

export function newTraceparent(): NewTrace {
  const traceId = randomBytes(16).toString('hex')
  return {traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId}
}
