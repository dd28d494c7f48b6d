// h2load driver for the gRPC scenarios: POST one pre-framed ModelInferRequest over h2c, parse the summary.
// h2load counts any HTTP 200 as a success, even when the gRPC status in the trailers is an error. A gRPC error is a
// trailers-only response with no DATA, so a round is also flagged when the DATA bytes received fall short of one full
// response (whose size the correctness check measured) per succeeded request.
import {runTool} from './processes.js'
import {toMs} from './util.js'

export function parseH2load(output, responseBytes) {
  const finished = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(output)
  if (!finished) throw new Error(`no "finished in" line in h2load output:\n${output}`)
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(output)
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(output)
  const data = /traffic: .* \((\d+)\) data/.exec(output)
  const time = /time for request:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/.exec(output)
  if (!req || !codes || !data || !time) throw new Error(`cannot parse h2load output:\n${output}`)
  const [succeeded, failed, errored, timeout] = req.slice(4, 8).map(Number)
  const non2xx = Number(codes[2]) + Number(codes[3]) + Number(codes[4])
  const dataBytes = Number(data[1])
  const shortResponses = dataBytes < succeeded * responseBytes
  return {
    rps: Number(finished[1]),
    mean: toMs(time[3]),
    sd: toMs(time[4]),
    max: toMs(time[2]),
    requests: succeeded,
    failed,
    errored,
    timeout,
    non2xx,
    dataBytesPerRequest: succeeded ? dataBytes / succeeded : 0,
    valid: failed + errored + timeout + non2xx === 0 && !shortResponses,
  }
}

export const h2loadArgs = ({threads, connections, streams}, seconds) => [`-t${threads}`, `-c${connections}`, `-m${streams}`, `-D${seconds}`]

export async function runH2load(config, url, frameFile, responseBytes, seconds) {
  const args = [...h2loadArgs(config, seconds), '-d', frameFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers', url]
  return parseH2load(await runTool('h2load', args, {timeoutMs: (seconds + 15) * 1000}), responseBytes)
}

export function describeH2load(result, responseBytes) {
  if (result.valid) return ''
  const short = result.dataBytesPerRequest < responseBytes ? `, ${result.dataBytesPerRequest.toFixed(1)} of ${responseBytes} response bytes/request (gRPC errors?)` : ''
  return `  INVALID: ${result.failed} failed, ${result.errored} errored, ${result.timeout} timeout, ${result.non2xx} non-2xx${short}`
}
