/**
 * A bounded soak run against a running server. First the peak: closed-loop valid requests (REST JSON and gRPC, the
 * fuzz seeds with known answers) from 16 clients for `peakSeconds`. Then `seconds` of open-loop traffic at `load` (0.8)
 * of that peak while one model (`cycled`) is unloaded and loaded `cycles` times. An error is any answer that is not
 * 200 with the right values, except that requests to the cycled model may get 503 MODEL_NOT_READY or 404
 * MODEL_UNAVAILABLE. RSS growth compares the server's RSS after the peak phase with its RSS at the end.
 */
import {seeds, type Seed} from '../fuzz/corpus.js'
import {serverRss} from '../fuzz/checks.js'
import {GrpcClient} from '../fuzz/grpc-driver.js'
import {RestClient} from '../fuzz/rest-driver.js'

export interface SoakOptions {
  readonly url: string
  readonly grpcAddress: string
  readonly metricsUrl: string
  readonly seconds: number
  readonly cycles: number
  readonly peakSeconds?: number
  readonly load?: number
  /** The model unloaded and loaded; default identity_int8. */
  readonly cycled?: string
}

export interface SoakReport {
  readonly peak: number
  readonly rate: number
  readonly requests: number
  /** Requests to the cycled model refused while it was unloaded or loading (expected). */
  readonly refusedWhileCycling: number
  readonly errors: number
  readonly firstErrors: string[]
  readonly cycles: number
  readonly cycleErrors: number
  readonly rssStart: number
  readonly rssEnd: number
  readonly rssGrowth: number
  readonly seconds: number
}

/** The old-generation cap of the soaked server, in MiB: `npm run soak`'s default and the suite's. */
export const SOAK_HEAP_MIB = 192

/**
 * The soaked server's environment: its old generation capped at `mib` MiB (--max-old-space-size, added to NODE_OPTIONS).
 * Uncapped, V8 lets the heap grow with the rate of garbage (at 3,000 req/s RSS grew 47% in 60 s with the heap in use
 * flat), which says nothing about leaks, and the RSS rule then measures the machine's speed. Capped, a leak still
 * shows: as RSS growth, or as the server running out of memory and requests failing.
 */
export function heapCapEnv(mib: number = SOAK_HEAP_MIB): Record<string, string> {
  return {NODE_OPTIONS: [process.env.NODE_OPTIONS, `--max-old-space-size=${mib}`].filter(Boolean).join(' ')}
}

const close = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)) : a === b)
const FIELD: Record<string, string> = {BOOL: 'bools', INT8: 'ints', INT16: 'ints', INT32: 'ints', INT64: 'int64s', UINT8: 'uints', UINT16: 'uints', UINT32: 'uints', UINT64: 'uint64s', FP32: 'fp32s', FP64: 'fp64s', BYTES: 'bytes'}
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const cycled = options.cycled ?? 'identity_int8'
  const corpus = seeds().filter((s) => s.expected !== undefined && s.inputs.every((i) => i.datatype !== 'FP16' && !i.parameters))
  const rest = new RestClient(options.url)
  const grpc = new GrpcClient(options.grpcAddress)
  let requests = 0
  let refused = 0
  let errors = 0
  const firstErrors: string[] = []
  const error = (what: string) => {
    errors++
    if (firstErrors.length < 10) firstErrors.push(what)
  }
  let next = 0

  /** One valid request, alternating REST and gRPC over the seeds; judged against the seed's answer. */
  const one = async () => {
    const i = next++
    const seed: Seed = corpus[i % corpus.length]
    const overGrpc = i % 3 === 2
    requests++
    try {
      let status: number | string
      let code: string | undefined
      let values: unknown[] | undefined
      if (overGrpc) {
        try {
          const response = await grpc.call('ModelInfer', {
            model_name: seed.model,
            model_version: seed.version ?? '',
            inputs: seed.inputs.map((input) => ({name: input.name, datatype: input.datatype, shape: input.shape, contents: {[FIELD[input.datatype]]: input.datatype === 'BYTES' ? input.data.map((v) => Buffer.from(String(v))) : input.data}})),
          })
          status = 200
          const contents = response.outputs[0].contents
          values = (Object.values(contents).find((v) => Array.isArray(v) && v.length > 0) as unknown[] | undefined) ?? []
          values = values.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' && seed.inputs[0].datatype !== 'BYTES' ? Number(v) : v))
        } catch (thrown) {
          const e = thrown as {code: number; details: string; metadata?: {get(key: string): unknown[]}}
          status = `gRPC ${e.code}`
          code = e.metadata?.get('mls-error-code')[0] as string | undefined
          values = undefined
          if (code === undefined) throw new Error(`gRPC status ${e.code}: ${e.details}`)
        }
      } else {
        const path = seed.version === undefined ? `/v2/models/${seed.model}/infer` : `/v2/models/${seed.model}/versions/${seed.version}/infer`
        const answer = await rest.send({path, headers: {'content-type': 'application/json'}, body: Buffer.from(JSON.stringify({inputs: seed.inputs})), what: []}, 10_000)
        const body = JSON.parse(answer.body.toString('utf8'))
        status = answer.status
        code = body.code
        values = body.outputs?.[0]?.data
      }
      if (seed.model === cycled && (code === 'MODEL_NOT_READY' || code === 'MODEL_UNAVAILABLE')) {
        refused++
        return
      }
      if (status !== 200 || !Array.isArray(values) || !values.every((v, k) => close(v, seed.expected![k]))) {
        error(`${overGrpc ? 'gRPC' : 'REST'} ${seed.model}: ${status} ${code ?? ''} ${JSON.stringify(values)?.slice(0, 100)}`)
      }
    } catch (thrown) {
      error(`${overGrpc ? 'gRPC' : 'REST'} ${seed.model}: ${(thrown as Error).message}`)
    }
  }

  const started = performance.now()
  // The peak: closed loop.
  const peakMs = (options.peakSeconds ?? 3) * 1000
  const peakStart = performance.now()
  let peakDone = 0
  await Promise.all(
    Array.from({length: 16}, async () => {
      while (performance.now() - peakStart < peakMs) {
        await one()
        peakDone++
      }
    }),
  )
  const peak = peakDone / ((performance.now() - peakStart) / 1000)
  const rssStart = await serverRss(options.metricsUrl)

  // The soak: open loop at `load` x peak, and the load/unload cycles, side by side.
  const rate = peak * (options.load ?? 0.8)
  let cyclesDone = 0
  let cycleErrors = 0
  const cycling = (async () => {
    for (; cyclesDone < options.cycles; cyclesDone++) {
      for (const op of ['unload', 'load']) {
        const answer = await rest.send({path: `/v2/repository/models/${cycled}/${op}`, headers: {}, body: Buffer.alloc(0), what: []}, 30_000).catch((e: Error) => ({status: 0, body: Buffer.from(e.message)}))
        if (answer.status !== 200) {
          cycleErrors++
          error(`${op} ${cycled}: ${answer.status} ${answer.body.toString('utf8').slice(0, 100)}`)
        }
      }
    }
  })()
  const soakStart = performance.now()
  let issued = 0
  const pending = new Set<Promise<void>>()
  while (performance.now() - soakStart < options.seconds * 1000) {
    const due = Math.floor((rate * (performance.now() - soakStart)) / 1000)
    // Open loop, bounded: a server that falls far behind shows as fewer requests, never as unbounded memory here.
    while (issued < due && pending.size < 512) {
      issued++
      const p: Promise<void> = one().finally(() => pending.delete(p))
      pending.add(p)
    }
    await wait(5)
  }
  await Promise.all(pending)
  await cycling
  // Let the last unload's instance be freed and the server's heap settle before the final reading.
  await wait(1000)
  const rssEnd = await serverRss(options.metricsUrl)
  grpc.close()
  await rest.close()
  return {
    peak,
    rate,
    requests,
    refusedWhileCycling: refused,
    errors,
    firstErrors,
    cycles: cyclesDone,
    cycleErrors,
    rssStart,
    rssEnd,
    rssGrowth: (rssEnd - rssStart) / rssStart,
    seconds: (performance.now() - started) / 1000,
  }
}

export function formatSoak(r: SoakReport): string {
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`
  return [
    `peak ${Math.round(r.peak)} req/s (16 clients, closed loop); soak at ${Math.round(r.rate)} req/s`,
    `${r.requests} requests, ${r.errors} error(s), ${r.refusedWhileCycling} refused by the cycled model while it was unloaded (expected)`,
    `${r.cycles} unload/load cycles, ${r.cycleErrors} failed`,
    `server RSS ${mib(r.rssStart)} after the peak phase, ${mib(r.rssEnd)} at the end: ${(r.rssGrowth * 100).toFixed(1)}% growth`,
    `${r.seconds.toFixed(1)} s in all`,
    ...r.firstErrors.map((e) => `  error: ${e}`),
  ].join('\n')
}
