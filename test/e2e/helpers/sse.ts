/** Reads a text/event-stream answer as it arrives: each event with its type, its parsed data and when it came. */

export interface SseEvent {
  /** The `event:` field; "message" when absent (as EventSource names it). */
  readonly event: string
  readonly data: any
  /** performance.now() when the event's last byte was read. */
  readonly at: number
}

/** Parses `text` (whole events, each ending in a blank line) into events. */
export function parseEvents(text: string, at = 0): SseEvent[] {
  const events: SseEvent[] = []
  for (const block of text.split('\n\n')) {
    if (block === '') continue
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7)
      else if (line.startsWith('data: ')) data.push(line.slice(6))
    }
    events.push({event, data: JSON.parse(data.join('\n')), at})
  }
  return events
}

/** Reads every event of `response` (or until `stopAfter` events, then cancels the body: the client goes away). */
export async function readEvents(response: Response, options: {stopAfter?: number} = {}): Promise<SseEvent[]> {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const events: SseEvent[] = []
  let buffered = ''
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    buffered += decoder.decode(value, {stream: true})
    const end = buffered.lastIndexOf('\n\n')
    if (end < 0) continue
    events.push(...parseEvents(buffered.slice(0, end + 2), performance.now()))
    buffered = buffered.slice(end + 2)
    if (options.stopAfter !== undefined && events.length >= options.stopAfter) {
      await reader.cancel()
      break
    }
  }
  if (buffered.trim() !== '') throw new Error(`the stream ended inside an event: ${JSON.stringify(buffered)}`)
  return events
}

/** POSTs `body` as JSON to `url`. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {method: 'POST', body: JSON.stringify(body), headers: {'content-type': 'application/json', ...headers}, signal})
}
