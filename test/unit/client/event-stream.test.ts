/** The client's reading of an event stream: events split anywhere across chunks, CRLF lines, comments, an error event. */
import {describe, expect, it} from 'vitest'
import {ServerError} from '../../../src/client/client-error.js'
import {inferenceEvents} from '../../../src/client/event-stream.js'

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part)
}

async function collect(source: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = []
  for await (const item of source) out.push(item)
  return out
}

describe('inferenceEvents', () => {
  it('yields each data event once its blank line has come, however the bytes are split', async () => {
    const text = 'data: {"id":"a"}\n\ndata: {"id":"b"}\n\n'
    for (let cut = 1; cut < text.length; cut++) {
      expect(await collect(inferenceEvents(chunks(text.slice(0, cut), text.slice(cut)))), String(cut)).toEqual([{id: 'a'}, {id: 'b'}])
    }
  })

  it('reads CRLF line ends, skips comments, joins data lines, and leaves a trailing half event out', async () => {
    const events = await collect(inferenceEvents(chunks(': keep-alive\r\n\r\ndata: {"id":\r\ndata: "c"}\r\n\r\ndata: {"id"')))
    expect(events).toEqual([{id: 'c'}])
  })

  it('throws an error event as the ServerError it carries, after the events before it', async () => {
    const seen: unknown[] = []
    const error = await (async () => {
      try {
        for await (const event of inferenceEvents(chunks('data: {"id":"a"}\n\nevent: error\ndata: {"error":"boom","code":"INFERENCE_FAILED"}\n\ndata: {"id":"z"}\n\n'))) seen.push(event)
      } catch (thrown) {
        return thrown
      }
    })()
    expect(seen).toEqual([{id: 'a'}])
    expect(error).toBeInstanceOf(ServerError)
    expect(error).toMatchObject({code: 'INFERENCE_FAILED', serverMessage: 'boom'})
  })
})
