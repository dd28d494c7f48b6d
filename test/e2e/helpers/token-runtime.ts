/**
 * A custom runtime that streams like a text generator: a request's input "n" (FP64 [1, 3]) holds [count, ms, fail_at];
 * predictStream yields `count` results, output "token" FP64 [1, 1] holding 0, 1, 2 …, the first at once, sleeping `ms`
 * before each of the others. With
 * fail_at >= 0 it throws instead of yielding result fail_at (fail_at 0: before the first result). With
 * `parameters.extra.stopped_file`, its generator appends "stopped after K" to that file when it is stopped before its
 * end (return() from the consumer: the client went away), "done" when it ran to the end. predict (the path taken
 * without predictStream: adaptive batching, worker threads) answers every row with its count.
 */
export const TOKEN_RUNTIME = `
import {appendFileSync} from 'node:fs'
import type {InferRequest, RuntimeContext} from 'mls-server'

let stoppedFile = ''
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export default {
  load(context: RuntimeContext) {
    stoppedFile = String(context.settings.extra.stopped_file ?? '')
  },
  async predict(request: InferRequest) {
    const n = request.inputs[0].data as Float64Array
    const rows = request.inputs[0].shape[0]
    const counts = new Float64Array(rows)
    for (let r = 0; r < rows; r++) counts[r] = n[r * 3]
    return {outputs: [{name: 'token', datatype: 'FP64', shape: [rows, 1], data: counts}]}
  },
  async *predictStream(requests: AsyncIterable<InferRequest>) {
    for await (const request of requests) {
      const [count, ms, failAt] = request.inputs[0].data as Float64Array
      let sent = 0
      let finished = false
      try {
        for (let i = 0; i < count; i++) {
          if (ms > 0 && i > 0) await sleep(ms)
          if (i === failAt) throw new Error('the generator failed at token ' + i)
          yield {outputs: [{name: 'token', datatype: 'FP64', shape: [1, 1], data: new Float64Array([i])}]}
          sent++
        }
        finished = true
      } finally {
        if (stoppedFile !== '') appendFileSync(stoppedFile, finished ? 'done\\n' : 'stopped after ' + sent + '\\n')
      }
    }
  },
}
`

/** A REST body asking for `count` tokens, `ms` apart, failing at `failAt` (-1: never). */
export const tokenRequest = (count: number, ms = 0, failAt = -1, extra: Record<string, unknown> = {}) => ({
  ...extra,
  inputs: [{name: 'n', datatype: 'FP64', shape: [1, 3], data: [count, ms, failAt]}],
})
