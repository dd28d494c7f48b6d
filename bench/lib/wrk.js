// wrk driver for the REST scenarios: POST a body file with bench/post.lua, parse the summary.
import path from 'node:path'
import {runTool} from './processes.js'
import {root, toMs} from './util.js'

const UNIT_BYTES = {B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4} // wrk prints binary units, 2 decimals

/**
 * minResponseBytes: the body size of one full answer (measured by the check). wrk counts every 2xx as a good answer
 * whatever its size, so a round whose bytes read fall short of that per request is flagged (2% slack: wrk rounds the
 * total to 3-4 significant digits; the HTTP headers it also counts only add to it).
 */
export function parseWrk(output, minResponseBytes = 0) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)
  if (!rps) throw new Error(`no Requests/sec line in wrk output:\n${output}`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0)
  const total = /(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read/.exec(output)
  const requests = Number(total?.[1] ?? 0)
  const bytesPerRequest = total && requests ? (Number(total[2]) * UNIT_BYTES[total[3]]) / requests : 0
  const shortResponses = bytesPerRequest < minResponseBytes * 0.98
  return {
    rps: Number(rps[1]),
    mean: toMs(/^\s*Latency\s+([\d.]+(?:us|ms|s|m|h))\s/m.exec(output)?.[1]), // "Thread Stats" average
    p50: toMs(/^\s*50%\s+(\S+)/m.exec(output)?.[1]),
    p99: toMs(/^\s*99%\s+(\S+)/m.exec(output)?.[1]),
    requests,
    non2xx,
    socketErrors,
    bytesPerRequest: Math.round(bytesPerRequest),
    valid: non2xx === 0 && socketErrors === 0 && requests > 0 && !shortResponses,
  }
}

// --timeout 10s: wrk leaves any answer slower than its timeout (default 2 s) out of the latency histogram and counts it
// as a "timeout" socket error instead; at 256 connections on 2 shared cores a few answers can take 1-3 s, which is
// latency to report (p99), not a failure.
export const wrkArgs = ({threads, connections}, seconds) => [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency']

/** body: {file, contentType?, headerLength?}; config.connections is the scenario's. */
export async function runWrk(config, url, body, seconds, minResponseBytes = 0) {
  const args = [...wrkArgs(config, seconds), '-s', path.join(root, 'bench/post.lua'), url]
  const env = {BODY_FILE: body.file, CONTENT_TYPE: body.contentType ?? 'application/json', HEADER_LENGTH: String(body.headerLength ?? '')}
  return parseWrk(await runTool('wrk', args, {env, timeoutMs: (seconds + 30) * 1000}), minResponseBytes)
}

export function describeWrk(result, minResponseBytes = 0) {
  if (result.valid) return ''
  const short = result.bytesPerRequest < minResponseBytes * 0.98 ? `, ${result.bytesPerRequest} of ${minResponseBytes} bytes read/request` : ''
  return `  INVALID: ${result.requests} requests, ${result.non2xx} non-2xx, ${result.socketErrors} socket errors${short}`
}
