/**
 * A custom runtime that sleeps: each request sends the milliseconds to sleep (input "ms", FP64 [n, 1]; the longest
 * row counts) and gets back, per row, how many rows the runtime has been given so far ("rows_seen"). It stops early
 * when the request's signal fires, unless its model's `parameters.extra.ignore_abort` is true (a hung runtime); with
 * `parameters.extra.busy` it computes instead of sleeping: it holds its thread, as onnxruntime's run() does.
 * While it sleeps it counts itself in globalThis.sleeping[model], which PROBE_RUNTIME reports; with
 * `parameters.extra.started_file` it also appends a line to that file as each request starts (seen across processes).
 */
export const SLEEP_RUNTIME = `
import {appendFileSync} from 'node:fs'
import type {InferRequest, RuntimeContext} from 'mls-server'

const sleeping = ((globalThis as any).sleeping ??= {}) as Record<string, number>
let name = ''
let ignoreAbort = false
let busy = false
let startedFile = ''
let rowsSeen = 0

export default {
  load(context: RuntimeContext) {
    name = context.settings.name
    ignoreAbort = context.settings.extra.ignore_abort === true
    busy = context.settings.extra.busy === true
    startedFile = String(context.settings.extra.started_file ?? '')
  },
  async predict(request: InferRequest) {
    const ms = request.inputs[0].data as Float64Array
    const rows = request.inputs[0].shape[0]
    rowsSeen += rows
    const seen = rowsSeen
    if (startedFile !== '') appendFileSync(startedFile, 'started\\n')
    if (busy) {
      const end = Date.now() + Math.max(...ms)
      while (Date.now() < end) {}
      return {outputs: [{name: 'rows_seen', datatype: 'FP64', shape: [rows, 1], data: new Float64Array(rows).fill(seen)}]}
    }
    const signal = ignoreAbort ? undefined : request.signal
    sleeping[name] = (sleeping[name] ?? 0) + 1
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, Math.max(...ms))
        signal?.addEventListener('abort', () => {
          clearTimeout(timer)
          reject(signal.reason)
        })
      })
    } finally {
      sleeping[name]--
    }
    return {outputs: [{name: 'rows_seen', datatype: 'FP64', shape: [rows, 1], data: new Float64Array(rows).fill(seen)}]}
  },
}
`

/** Answers how many requests the sleep runtime of model `parameters.extra.watch` is running ("sleeping", FP64 [1, 1]). */
export const PROBE_RUNTIME = `
import type {RuntimeContext} from 'mls-server'

let watch = ''
export default {
  load(context: RuntimeContext) {
    watch = String(context.settings.extra.watch)
  },
  async predict() {
    const n = (globalThis as any).sleeping?.[watch] ?? 0
    return {outputs: [{name: 'sleeping', datatype: 'FP64', shape: [1, 1], data: new Float64Array([n])}]}
  },
}
`

/** Asks probe model `probe` until the model it watches runs `n` requests (at most 400 tries, 25 ms apart). */
export async function untilSleeping(url: string, probe: string, n: number): Promise<void> {
  let last
  for (let i = 0; i < 400; i++) {
    const response = await fetch(`${url}/v2/models/${probe}/infer`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(sleepRequest(0))})
    last = ((await response.json()) as {outputs: Array<{data: number[]}>}).outputs[0].data[0]
    if (last === n) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`the probe "${probe}" never saw ${n} requests sleeping (the last answer was ${last})`)
}

/** A REST body asking to sleep `ms`. */
export const sleepRequest = (ms: number) => ({inputs: [{name: 'ms', shape: [1, 1], datatype: 'FP64', data: [ms]}]})

/** A gRPC ModelInferRequest asking model `name` to sleep `ms`. */
export const sleepMessage = (name: string, ms: number) => ({model_name: name, inputs: [{name: 'ms', datatype: 'FP64', shape: [1, 1], contents: {fp64s: [ms]}}]})

/** Polls the server's /metrics until `sample` (name and labels as printed) reads `value` (at most 400 tries, 25 ms apart). */
export async function untilMetric(server: {metricsUrl?: string}, sample: string, value: number): Promise<void> {
  let last: string | undefined
  for (let i = 0; i < 400; i++) {
    const text = await (await fetch(server.metricsUrl!)).text()
    last = text.split('\n').find((line) => line.startsWith(sample + ' '))
    if (last !== undefined && Number(last.slice(sample.length + 1)) === value) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`${sample} did not reach ${value} (last: ${last})`)
}
