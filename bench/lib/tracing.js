// The tracing scenario (only when named: `npm run bench -- tracing`): the rest scenario's request against mls with
// tracing not configured (baseline) and configured, exporting every request's spans over OTLP/HTTP protobuf to a sink
// on loopback that this process runs (it reads and counts the exports, and answers 200 as a collector does).
import {createServer} from 'node:http'
import {onCleanup} from './processes.js'

export const TRACING_ID = 'tracing'

/** Exports received so far by the sink. */
export const sink = {url: undefined, exports: 0, bytes: 0}

/** Starts the sink and points `server` (a SERVERS entry) at it. */
export async function startTraceSink(server) {
  const http = createServer((req, res) => {
    req.on('data', (chunk) => (sink.bytes += chunk.length))
    req.on('end', () => {
      sink.exports++
      res.writeHead(200, {'content-type': 'application/x-protobuf'}).end()
    })
  })
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
  onCleanup(() => new Promise((resolve) => http.close(resolve)))
  sink.url = `http://127.0.0.1:${http.address().port}`
  Object.assign(server.env, {OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf'})
}

/** Resolves once the sink has received an export since `before` (at most 10 s: the batch processor sends every 5 s). */
export async function exported(before) {
  for (let i = 0; i < 200 && sink.exports <= before; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  if (sink.exports <= before) throw new Error(`the traced server exported no spans to ${sink.url} within 10 s`)
}
