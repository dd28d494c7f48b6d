/**
 * A stream of requests through a model's predictStream (MLServer's predict_stream): each body is decoded as the
 * runtime reads it, and each result the runtime yields is one answer.
 */
import {randomUUID} from 'node:crypto'
import type {InferenceResult, InferRequest} from '../protocol/types.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import type {Runtime} from '../runtimes/runtime.js'
import type {BodySource} from './admission.js'
import {classifyOutputs, type Classifications} from './classify.js'
import type {InferenceObserver} from './dataplane.js'
import {decodeRequest} from './decode-request.js'
import {inferenceError} from './inference-error.js'
import {reportFailed} from './failure-report.js'
import type {RequestScope} from './request-scope.js'
import {checkResponseSize} from './response-size.js'

/** A runtime's predictStream, bound to it. */
export type PredictStream = NonNullable<Runtime['predictStream']>

/**
 * The answers of `stream` for `bodies`, within `scope` (admitted already; the caller ends it): each answer carries the
 * id of the request read last. Ends at the first error (thrown as the client gets it) and when the scope ends (client
 * gone, deadline, stop, an unload out of grace), and at an answer holding more than `limits.responseLimit` raw output bytes. Each answer counts as one inference for `observer`.
 */
export async function* streamAnswers(
  entry: ModelEntry,
  instance: LoadedModel,
  stream: PredictStream,
  scope: RequestScope,
  bodies: AsyncIterable<unknown>,
  observer: InferenceObserver | undefined,
  limits: {readonly responseLimit: number; readonly source?: BodySource},
): AsyncGenerator<InferenceResult> {
  const {responseLimit, source: from} = limits
  let lastId: string | undefined
  let lastClassify: Classifications | undefined
  async function* requests(): AsyncGenerator<InferRequest> {
    const source = bodies[Symbol.asyncIterator]()
    for (;;) {
      // Waiting for the client's next message ends as soon as the scope does (client gone, deadline, stop).
      const next = await scope.race(source.next())
      if (next.done === true) return
      const request = decodeRequest(entry, instance, next.value, from)
      lastId = request.id
      lastClassify = request.classify
      yield scope.request(request.id, request.parameters, request.inputs, request.outputs)
    }
  }
  let started = performance.now()
  const results = stream(requests())[Symbol.asyncIterator]()
  // Each step of the runtime ends as soon as the scope does (client gone, timeout, stop), not at its next result.
  const ended = new Promise<never>((_, reject) => scope.on(() => reject(scope.reason)))
  ended.catch(() => undefined)
  let finished = false
  try {
    for (;;) {
      const next = await Promise.race([results.next(), ended])
      if (next.done === true) {
        finished = true
        break
      }
      const result = next.value
      scope.throwIfAborted()
      const outputs = lastClassify === undefined ? result.outputs : classifyOutputs(result.outputs, lastClassify, instance.settings.labels)
      checkResponseSize(entry, outputs, responseLimit)
      observer?.inference(entry.name, entry.version, (performance.now() - started) / 1000, true)
      started = performance.now()
      yield {model_name: entry.name, model_version: entry.version, id: lastId ?? randomUUID(), parameters: result.parameters, outputs}
    }
    scope.throwIfAborted()
  } catch (error) {
    observer?.inference(entry.name, entry.version, (performance.now() - started) / 1000, false)
    const failure = inferenceError(entry, 'stream', error)
    reportFailed(observer, entry, failure)
    throw failure
  } finally {
    // Stops the runtime's generator (its finally blocks run): at once if it waits at a yield, else once its step
    // settles (an async generator queues return() behind the step it runs). Not awaited: that step may never end.
    if (!finished) void Promise.resolve(results.return?.()).catch(() => undefined)
  }
}
