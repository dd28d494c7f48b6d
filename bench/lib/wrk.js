// wrk driver for the REST scenario: POST the JSON body file with bench/post.lua, parse the summary.
import path from 'node:path'
import {runTool} from './processes.js'
import {root, toMs} from './util.js'

export function parseWrk(output) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output)
  if (!rps) throw new Error(`no Requests/sec line in wrk output:\n${output}`)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output)
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0)
  return {
    rps: Number(rps[1]),
    mean: toMs(/^\s*Latency\s+([\d.]+(?:us|ms|s|m|h))\s/m.exec(output)?.[1]), // "Thread Stats" average
    p50: toMs(/^\s*50%\s+(\S+)/m.exec(output)?.[1]),
    p99: toMs(/^\s*99%\s+(\S+)/m.exec(output)?.[1]),
    requests: Number(/(\d+) requests in/.exec(output)?.[1] ?? 0),
    non2xx,
    socketErrors,
    valid: non2xx === 0 && socketErrors === 0,
  }
}

export const wrkArgs = ({threads, connections}, seconds) => [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency']

export async function runWrk(config, url, bodyFile, seconds) {
  const args = [...wrkArgs(config, seconds), '-s', path.join(root, 'bench/post.lua'), url]
  return parseWrk(await runTool('wrk', args, {env: {BODY_FILE: bodyFile}, timeoutMs: (seconds + 15) * 1000}))
}

export const describeWrk = (result) => (result.valid ? '' : `  INVALID: ${result.non2xx} non-2xx, ${result.socketErrors} socket errors`)
