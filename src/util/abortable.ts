/**
 * Abort state for each inference, cheap on the request path. Node makes an AbortSignal slowly (an EventTarget, some
 * microseconds) and its listeners slowly too, so the data plane keeps its own state and listener list, and a request's
 * `signal` is made only when something reads it (a custom runtime that wants it). Batching and worker pools watch a
 * request through `abortOf`, which never makes the signal for the data plane's own requests.
 */

/** What a request's abort state offers: whether and why it was given up, and a listener when it is. */
export interface AbortWatch {
  readonly aborted: boolean
  readonly reason: unknown
  /** Calls `listener` once when aborted (at once if it is already). */
  on(listener: () => void): void
}

import type {InferRequest, Parameters, Tensor} from '../protocol/types.js'

const OWN = Symbol('mls.abortable')

export class Abortable implements AbortWatch {
  private controller?: AbortController
  /** Null until a listener comes; undefined once aborted. */
  private listeners: Array<() => void> | null | undefined = null
  private why: unknown
  /** With adaptive batching, when the request's batch began to run (performance.now(); 0: it waited in none): tracing reads it. */
  batchedAt = 0

  get aborted(): boolean {
    return this.listeners === undefined
  }

  get reason(): unknown {
    return this.why
  }

  /** An AbortSignal that follows this state, made on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.aborted) this.controller.abort(this.why)
    }
    return this.controller.signal
  }

  /** Aborts with `reason`, once: the signal (if made) fires, then the listeners run. Returns false if it was already. */
  abort(reason: unknown): boolean {
    const listeners = this.listeners
    if (listeners === undefined) return false
    this.listeners = undefined
    this.why = reason
    this.controller?.abort(reason)
    if (listeners !== null) for (const listener of listeners) listener()
    return true
  }

  on(listener: () => void): void {
    if (this.listeners === undefined) listener()
    else (this.listeners ??= []).push(listener)
  }

  /** `request` with a `signal` made from this state on first read (and this state for abortOf). */
  attach(request: InferRequest): InferRequest {
    return new AbortableRequest(request.id, request.parameters, request.inputs, request.outputs, this)
  }

  /** A request made of these parts, with a `signal` made from this state on first read (and this state for abortOf). */
  request(id: string, parameters: Parameters | undefined, inputs: readonly Tensor[], outputs: readonly string[] | undefined): InferRequest {
    return new AbortableRequest(id, parameters, inputs, outputs, this)
  }
}

/** An InferRequest whose `signal` getter makes the AbortSignal only when a runtime reads it. */
class AbortableRequest implements InferRequest {
  readonly [OWN]: Abortable

  constructor(
    readonly id: string,
    readonly parameters: Parameters | undefined,
    readonly inputs: readonly Tensor[],
    readonly outputs: readonly string[] | undefined,
    abortable: Abortable,
  ) {
    this[OWN] = abortable
  }

  get signal(): AbortSignal {
    return this[OWN].signal
  }
}

/** Adaptive batching: the batch holding `request` (one of the data plane's) begins to run at `at` (performance.now()). */
export function markBatched(request: InferRequest, at: number): void {
  const own = (request as {[OWN]?: Abortable})[OWN]
  if (own !== undefined) own.batchedAt = at
}

/** The abort state of a request: the data plane's own (no signal made), else its `signal`'s, else undefined. */
export function abortOf(request: {readonly signal?: AbortSignal}): AbortWatch | undefined {
  const own = (request as {[OWN]?: Abortable})[OWN]
  if (own !== undefined) return own
  const signal = request.signal
  if (signal === undefined) return undefined
  return {
    get aborted() {
      return signal.aborted
    },
    get reason() {
      return signal.reason as unknown
    },
    on: (listener) => (signal.aborted ? listener() : signal.addEventListener('abort', listener, {once: true})),
  }
}
