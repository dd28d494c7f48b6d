// The density scenario's load generator, in this process (node:http, no external tool): C workers on one keep-alive
// agent of C sockets, each sending one request at a time (like wrk's connections) for a fixed time, to a model drawn
// by `pick()` (Zipf-distributed, or uniform over a working set). Every request is recorded: model, HTTP status (0 for
// a connection error or timeout), latency (ms, from just before the request is written to the end of the answer),
// and its client-side residency class (hit or miss, see ResidencyTracker).
//
// Plus the probes that run beside it: the repository index poller (feeds the tracker), the server's RSS sampler
// (/proc/PID/status VmRSS) and a Prometheus text parser for /metrics.
import {readFileSync} from 'node:fs'
import http from 'node:http'
import {performance} from 'node:perf_hooks'
import {seededRandom} from './density-repo.js'

/**
 * A sampler of Zipf-distributed model indices: rank r (1..count) has probability proportional to r^-s; ranks are
 * mapped to models by a seeded shuffle, so the hottest models are of every kind. Returns {pick, rankOf, order}:
 * order[r-1] is the model of rank r.
 */
export function zipf(count, s, seed) {
  const random = seededRandom(seed)
  const order = Array.from({length: count}, (_, i) => i)
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  const cdf = new Float64Array(count)
  let total = 0
  for (let r = 0; r < count; r++) cdf[r] = total += (r + 1) ** -s
  for (let r = 0; r < count; r++) cdf[r] /= total
  const draw = seededRandom(seed ^ 0x5bd1e995)
  const pick = () => {
    const u = draw()
    let lo = 0
    let hi = count - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cdf[mid] < u) lo = mid + 1
      else hi = mid
    }
    return order[lo]
  }
  return {pick, order, probability: (r) => (r === 1 ? cdf[0] : cdf[r - 1] - cdf[r - 2])}
}

/** Uniform picks over `indices` (a working set), seeded. */
export function uniform(indices, seed) {
  const random = seededRandom(seed)
  return () => indices[Math.floor(random() * indices.length)]
}

/**
 * The client's view of which models are in memory, to classify each request as a hit or a miss when it is sent.
 * The REST answer says nothing about residency, so:
 * - a model starts resident or not (`initiallyResident`: true when the server loaded everything at start-up);
 * - a 200 answer makes it resident (its version was in memory when the answer left);
 * - the repository index, polled every `pollMs`, makes a model not resident when its state is anything but READY
 *   (NOT_LOADED, LOADING, UNLOADING), unless a 200 answer for it completed after the poll was sent (the index may
 *   predate that load).
 * A request sent while its model is not resident is a miss (the first request after an eviction, and every request
 * sent before that first one is answered: they wait on the same load). Error: a model evicted after the last poll
 * and requested before the next is counted a hit though it loads; at most one poll interval's worth of such
 * requests per eviction. The server's own count (model_residency_requests_total) is the reference for the ratio.
 */
export class ResidencyTracker {
  constructor(count, initiallyResident) {
    this.resident = new Uint8Array(count).fill(initiallyResident ? 1 : 0)
    this.lastOkAt = new Float64Array(count).fill(-Infinity)
    this.evictionsSeen = 0 // READY -> not READY transitions the poller saw (a lower bound on evictions)
  }
  isResident(i) {
    return this.resident[i] === 1
  }
  answered(i, status, at) {
    if (status !== 200) return
    this.resident[i] = 1
    this.lastOkAt[i] = at
  }
  /** states: model index -> index state; sentAt: performance.now() when the index request was sent. */
  applyIndex(states, sentAt) {
    for (const [i, state] of states) {
      if (state === 'READY') continue
      if (this.resident[i] && this.lastOkAt[i] < sentAt) {
        this.resident[i] = 0
        this.evictionsSeen++
      }
    }
  }
}

/** POST /v2/repository/index {}: the items, with a fresh connection per call (kept out of the load's sockets). */
export function repositoryIndex(baseUrl) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${baseUrl}/v2/repository/index`, {method: 'POST', agent: false, headers: {'content-type': 'application/json'}, timeout: 10_000}, (response) => {
      const chunks = []
      response.on('data', (c) => chunks.push(c))
      response.on('end', () => {
        try {
          if (response.statusCode !== 200) throw new Error(`repository index answered ${response.statusCode}`)
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        } catch (error) {
          reject(error)
        }
      })
    })
    request.on('timeout', () => request.destroy(new Error('repository index: no answer within 10 s')))
    request.on('error', reject)
    request.end('{}')
  })
}

/** One POST of a model's request on a fresh connection: {status (0: no answer), text}. */
export function postOnce(baseUrl, model) {
  return new Promise((resolve) => {
    const request = http.request(`${baseUrl}${model.path}`, {method: 'POST', agent: false, headers: {'content-type': 'application/json'}, timeout: 60_000}, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (c) => (text += c))
      response.on('end', () => resolve({status: response.statusCode, text}))
    })
    request.on('timeout', () => request.destroy(new Error('no answer within 60 s')))
    request.on('error', (error) => resolve({status: 0, text: error.message}))
    request.end(model.body)
  })
}

/** GET a URL's text (the metrics endpoint), fresh connection. */
export function getText(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, {agent: false, timeout: 10_000}, (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (c) => (text += c))
        response.on('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(`${url} answered ${response.statusCode}`))))
      })
      .on('timeout', function () {
        this.destroy(new Error(`${url}: no answer within 10 s`))
      })
      .on('error', reject)
  })
}

/** Prometheus text format -> [{name, labels, value}] (comments skipped). */
export function parseMetrics(text) {
  const samples = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)
    if (!match) continue
    const labels = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value
    samples.push({name: match[1], labels, value: Number(match[3])})
  }
  return samples
}

/** Sum of a metric's samples whose labels include `where`; null when the metric is absent. */
export function sumMetric(samples, name, where = {}) {
  const found = samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
  return found.length ? found.reduce((a, s) => a + s.value, 0) : null
}

/** A histogram's cumulative bucket counts summed over every label set: Map(le -> count); null when absent. */
export function histogramBuckets(samples, name) {
  const buckets = new Map()
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le)
    buckets.set(le, (buckets.get(le) ?? 0) + s.value)
  }
  return buckets.size ? buckets : null
}

/** Quantile q of the observations between two scrapes of a histogram (histogram_quantile's linear interpolation). */
export function histogramQuantile(before, after, q) {
  if (!after) return null
  const les = [...after.keys()].sort((a, b) => a - b)
  const counts = les.map((le) => after.get(le) - (before?.get(le) ?? 0))
  const total = counts[counts.length - 1]
  if (!total) return null
  const rank = q * total
  for (let i = 0; i < les.length; i++) {
    if (counts[i] >= rank) {
      if (les[i] === Infinity) return les[i - 1] ?? null // above the last finite bucket: its bound, a lower bound
      const lower = i === 0 ? 0 : les[i - 1]
      const below = i === 0 ? 0 : counts[i - 1]
      return lower + ((les[i] - lower) * (rank - below)) / Math.max(1, counts[i] - below)
    }
  }
  return null
}

/** VmRSS and VmHWM (peak) of a process, in bytes; undefined once it has exited. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024
    return {rss: kb('VmRSS'), hwm: kb('VmHWM')}
  } catch {
    return undefined
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns {stop() -> {peak, samples, last}}. */
export function sampleRss(pid, everyMs = 100) {
  let peak = 0
  let samples = 0
  let last
  const take = () => {
    const m = memoryOf(pid)
    if (!m) return
    last = m.rss
    peak = Math.max(peak, m.rss)
    samples++
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    stop() {
      take()
      clearInterval(timer)
      return {peak, samples, last}
    },
  }
}

/**
 * Scrapes the server's own process metrics every `everyMs` (prom-client's defaults): RSS minus the V8 heap's committed
 * size, i.e. native memory (onnxruntime sessions), array buffers (XGBoost forests), code and stacks, without the JS
 * heap that traffic grows whatever the models; and the peak of models_memory_bytes (the server's own account of the
 * versions in memory, null without a budget). Returns {stop() -> Promise<{peak, first, samples, accountedPeak}>}.
 */
export function sampleNonHeap(metricsUrl, everyMs = 1000) {
  let peak = null
  let first = null
  let samples = 0
  let accountedPeak = null
  let running = true
  const take = async () => {
    try {
      const m = parseMetrics(await getText(metricsUrl))
      const accounted = sumMetric(m, 'models_memory_bytes')
      if (accounted !== null) accountedPeak = Math.max(accountedPeak ?? 0, accounted)
      const rss = sumMetric(m, 'process_resident_memory_bytes')
      const heap = sumMetric(m, 'nodejs_heap_size_total_bytes')
      if (rss === null || heap === null) return
      first ??= rss - heap
      peak = Math.max(peak ?? -Infinity, rss - heap)
      samples++
    } catch {
      // a scrape that fails is a sample lost
    }
  }
  const loop = (async () => {
    while (running) {
      const at = performance.now()
      await take()
      const wait = everyMs - (performance.now() - at)
      if (running && wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      await take()
      return {peak, first, samples, accountedPeak}
    },
  }
}

/**
 * Sends requests for `durationS` seconds from `connections` workers. models[i] = {path, body}; pick() -> model index.
 * With `tracker`, each request is classified hit / miss when sent and the tracker learns from each answer; with
 * `pollIndex` ({baseUrl, everyMs, indexOf: name -> model index, onIndex(items)?}) the index is polled meanwhile.
 * With `rate` (requests per second) the requests are paced instead (open loop, over at most `connections` sockets).
 * Returns {records: {model, status, latency, miss, sentAt} as parallel arrays, seconds, errors: first few error texts}.
 */
export async function runLoad({baseUrl, models, pick, durationS, connections, tracker, pollIndex, rate, timeoutMs = 60_000}) {
  const url = new URL(baseUrl)
  const agent = new http.Agent({keepAlive: true, maxSockets: connections, maxFreeSockets: connections})
  const bodies = models.map((m) => Buffer.from(m.body))
  const records = {model: [], status: [], latency: [], miss: [], sentAt: []}
  const errors = []
  const noteError = (text) => {
    if (errors.length < 10) errors.push(text)
  }
  const start = performance.now()
  const end = start + durationS * 1000

  const send = (i) =>
    new Promise((resolve) => {
      const sentAt = performance.now()
      const request = http.request(
        {hostname: url.hostname, port: url.port, path: models[i].path, method: 'POST', agent, timeout: timeoutMs, headers: {'content-type': 'application/json', 'content-length': bodies[i].length}},
        (response) => {
          const chunks = []
          response.on('data', (c) => chunks.push(c))
          response.on('end', () => {
            if (response.statusCode !== 200) noteError(`${models[i].path}: ${response.statusCode} ${Buffer.concat(chunks).toString('utf8', 0, 300)}`)
            resolve({status: response.statusCode, sentAt, doneAt: performance.now()})
          })
          response.on('error', (error) => {
            noteError(`${models[i].path}: ${error.message}`)
            resolve({status: 0, sentAt, doneAt: performance.now()})
          })
        },
      )
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)))
      request.on('error', (error) => {
        noteError(`${models[i].path}: ${error.message}`)
        resolve({status: 0, sentAt, doneAt: performance.now()})
      })
      request.end(bodies[i])
    })

  // Paced (open loop): request k is due at start + k / rate whatever happened to the earlier ones, and its latency
  // counts from when it was due, so a slow server is not hidden by clients that wait for it (coordinated omission).
  // The agent queues requests past `connections` busy sockets: that wait is in the latency too.
  const paced = async () => {
    const inFlight = new Set()
    for (let k = 0; ; k++) {
      const due = start + (k * 1000) / rate
      if (due >= end) break
      const now = performance.now()
      if (due > now) await new Promise((r) => setTimeout(r, due - now))
      const i = pick()
      const miss = tracker ? !tracker.isResident(i) : false
      const sent = send(i).then(({status, doneAt}) => {
        tracker?.answered(i, status, doneAt)
        records.model.push(i)
        records.status.push(status)
        records.latency.push(doneAt - due)
        records.miss.push(miss)
        records.sentAt.push(due - start)
        inFlight.delete(sent)
      })
      inFlight.add(sent)
    }
    await Promise.all(inFlight)
  }

  const worker = async () => {
    while (performance.now() < end) {
      const i = pick()
      const miss = tracker ? !tracker.isResident(i) : false
      const {status, sentAt, doneAt} = await send(i)
      tracker?.answered(i, status, doneAt)
      records.model.push(i)
      records.status.push(status)
      records.latency.push(doneAt - sentAt)
      records.miss.push(miss)
      records.sentAt.push(sentAt - start)
    }
  }

  let polling = true
  let polls = 0
  let pollErrors = 0
  const poller = async () => {
    while (polling) {
      const sentAt = performance.now()
      try {
        const index = await repositoryIndex(baseUrl)
        const states = []
        for (const item of index) {
          const i = pollIndex.indexOf.get(item.name)
          if (i !== undefined) states.push([i, item.state])
        }
        tracker?.applyIndex(states, sentAt)
        pollIndex.onIndex?.(index)
        polls++
      } catch {
        pollErrors++
      }
      const wait = pollIndex.everyMs - (performance.now() - sentAt)
      if (polling && wait > 0) await new Promise((r) => setTimeout(r, wait))
    }
  }
  const pollDone = pollIndex ? poller() : Promise.resolve()
  if (rate) await paced()
  else await Promise.all(Array.from({length: connections}, worker))
  polling = false
  await pollDone
  agent.destroy()
  return {records, seconds: (performance.now() - start) / 1000, errors, polls, pollErrors}
}

/** The q-quantile (0..1) of numbers (sorted copy; nearest rank). null for none. */
export function quantile(values, q) {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}
