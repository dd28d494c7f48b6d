/**
 * Reading a text/event-stream answer (REST infer_stream) as it arrives: each `data:` event is one inference response;
 * an `event: error` carries the server's error body and ends the stream.
 */
import type {InferenceResponse} from '../protocol/types.js'
import {ServerError} from './client-error.js'

/** One event: its type ("message" when it names none) and its data lines joined. */
interface RawEvent {
  readonly event: string
  readonly data: string
}

/** The events of `chunks` (text as it arrives), each yielded once its blank line has come. */
async function* rawEvents(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<RawEvent> {
  const decoder = new TextDecoder()
  let buffered = ''
  for await (const chunk of chunks) {
    buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk, {stream: true})
    buffered = buffered.replaceAll('\r\n', '\n')
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const block = buffered.slice(0, end)
      buffered = buffered.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') event = value
        else if (field === 'data') data.push(value)
      }
      if (data.length > 0) yield {event, data: data.join('\n')}
    }
  }
}

/** The inference responses of an event stream; an `error` event is thrown as the ServerError it carries. */
export async function* inferenceEvents(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<InferenceResponse> {
  for await (const {event, data} of rawEvents(chunks)) {
    if (event === 'error') {
      let body: {error?: string; code?: string} | undefined
      try {
        body = JSON.parse(data) as typeof body
      } catch {
        body = undefined
      }
      throw new ServerError('in stream', body?.code, body?.error ?? data)
    }
    if (event === 'message') yield JSON.parse(data) as InferenceResponse
  }
}
