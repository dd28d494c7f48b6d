/**
 * REST streaming (MLServer 1.6's infer_stream): one request in, its answers out as Server-Sent Events, each
 * `data: <inference response JSON>\n\n` as MLServer frames them. An error before the first answer is an ordinary HTTP
 * error answer; one after it is an `event: error` whose data is the error body, and the stream ends there.
 *
 * Events are written as they are produced: the answer is a stream, so the compression hook (gzip_enabled) passes it
 * by, as it does any stream, and the headers tell proxies not to buffer it. The client closing the connection gives
 * the request up (connection-watch.ts), which ends the runtime's generator.
 */
import {Readable} from 'node:stream'
import type {FastifyReply} from 'fastify'
import type {InferenceResult} from '../../protocol/types.js'
import type {Logger} from '../../logger.js'
import {encodeRestResponse} from './binary-response.js'
import {toHttpError} from './error-map.js'

export const EVENT_STREAM_CONTENT_TYPE = 'text/event-stream'

const HEADERS = {
  'content-type': EVENT_STREAM_CONTENT_TYPE,
  // Neither the browser nor a proxy may keep or hold back events (nginx buffers unless told not to).
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const

/** One answer as an event; always JSON text (an event carries no binary tensor data: binary_data_output is not applied). */
export function dataEvent(result: InferenceResult): string {
  return `data: ${JSON.stringify(encodeRestResponse(result, undefined).body)}\n\n`
}

/** An error after the first event: its HTTP error body, as an `error` event. */
export function errorEvent(body: unknown): string {
  return `event: error\ndata: ${JSON.stringify(body)}\n\n`
}

/**
 * Sends `answers` as an event stream on `reply`. Waits for the first answer before any header goes out: if it fails
 * the error is thrown, for the app's error handler to answer as for any request.
 */
export async function sendEventStream(reply: FastifyReply, answers: AsyncGenerator<InferenceResult>, logger?: Logger): Promise<FastifyReply> {
  const first = await answers.next()
  const request = reply.request
  async function* events(): AsyncGenerator<string> {
    try {
      if (first.done === true) return
      yield dataEvent(first.value)
      for (;;) {
        const next = await answers.next()
        if (next.done === true) return
        yield dataEvent(next.value)
      }
    } catch (thrown) {
      const {status, body, error} = toHttpError(thrown)
      if (error.kind === 'internal') logger?.error(`${request.method} ${request.url}: ${error.stack ?? error.message}`)
      else logger?.debug(`${request.method} ${request.url}: stream ended by ${status} ${body.code}: ${body.error}`)
      yield errorEvent(body)
    } finally {
      // The client went away (the stream is destroyed before its end): the data plane's generator ends too.
      void answers.return(undefined).catch(() => undefined)
    }
  }
  return reply.code(200).headers(HEADERS).send(Readable.from(events(), {objectMode: false}))
}
