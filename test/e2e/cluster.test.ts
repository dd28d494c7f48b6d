/**
 * `mls start --processes 2`: two processes share the REST and gRPC ports; requests reach both; repository load/unload
 * reaches every process (the index reads the same whichever answers); metrics are aggregated on the metrics port.
 */
import {request as httpRequest} from 'node:http'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, makeRepo, MNIST_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {call, inferenceClient} from './helpers/grpc-client.js'
import {request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

/** A POST on a fresh connection (no keep-alive), so the cluster's round robin spreads requests over the processes. */
function post(url: string, body: unknown): Promise<{status: number; body: any}> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body)
    const req = httpRequest(url, {method: 'POST', agent: false, headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)}}, (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () => resolve({status: res.statusCode!, body: text === '' ? undefined : JSON.parse(text)}))
    })
    req.on('error', reject)
    req.end(data)
  })
}

/** A GET on a fresh connection, as post(). */
function get(url: string): Promise<{status: number; body: any}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {agent: false}, (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () => resolve({status: res.statusCode!, body: text === '' ? undefined : JSON.parse(text)}))
    })
    req.on('error', reject)
    req.end()
  })
}

/** One sample of the metrics text: the value of `name` with exactly `labels`. */
async function sample(url: string, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const text = (await request(url)).text
  const wanted = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} `
  const line = text.split('\n').find((l) => l.startsWith(wanted))
  return line === undefined ? undefined : Number(line.slice(wanted.length))
}

let server: MlsProcess
beforeAll(async () => {
  server = await startMls(EXAMPLE, {args: ['--processes', '2', '--debug']})
}, 30_000)
afterAll(async () => {
  await server?.stop()
})

/** `mls start --processes 2 --debug` (not waiting for loading) on a model that takes `ms` longer to load in process 2. */
async function slowSecondProcess(ms: number): Promise<{repo: ReturnType<typeof makeRepo>; starting: MlsProcess}> {
  const repo = makeRepo({
    'models/slow/model-settings.json': JSON.stringify({name: 'slow', implementation: './runtime.ts'}),
    'models/slow/runtime.ts': `import cluster from 'node:cluster'
export default {
  async load() { if (cluster.worker?.id === 2) await new Promise((resolve) => setTimeout(resolve, ${ms})) },
  predict() { return {outputs: []} },
}`,
  })
  return {repo, starting: await startMls(repo.dir, {args: ['--processes', '2', '--debug'], waitLoaded: false})}
}

describe('mls start --processes 2', () => {
  it('answers the metrics port at once while a process is still starting (its part empty yet), not 500 after 5 s', async () => {
    // Scraped as soon as the first process listens: the second is often still starting. prom-client's primary waits
    // 5 s for every process and then answers 500 "Operation timed out.", which it did for a process with no listener.
    const starting = await startMls(EXAMPLE, {args: ['--processes', '2'], waitLoaded: false})
    try {
      const metrics = await request(starting.metricsUrl!)
      expect(metrics.status, metrics.text).toBe(200)
    } finally {
      await starting.stop()
    }
  })

  it('is not ready while any process still loads, though another has loaded', async () => {
    // Process 2 takes 4 s longer to load. Each process answers the probes it is handed (round robin), so before,
    // process 1 said ready for the whole server while process 2 could not serve yet.
    const {repo, starting} = await slowSecondProcess(4000)
    try {
      await starting.expectLog(/process 1 \(pid \d+\) loaded/)
      const early = await Promise.all(Array.from({length: 6}, () => get(`${starting.url}/v2/health/ready`)))
      if (!starting.logs().includes('2 processes ready')) expect(early.map((answer) => answer.status)).toEqual(Array(6).fill(503))
      await starting.expectLog('2 processes ready')
      let ready = await get(`${starting.url}/v2/health/ready`)
      for (let i = 0; i < 50 && ready.status !== 200; i++) ready = await new Promise((resolve) => setTimeout(resolve, 20)).then(() => get(`${starting.url}/v2/health/ready`))
      expect(ready.status).toBe(200)
    } finally {
      await starting.stop()
      repo.cleanup()
    }
  })

  it('turns ready when the replacement of a process that died while loading has loaded', async () => {
    const {repo, starting} = await slowSecondProcess(60000)
    try {
      await starting.expectLog(/process 2 serving \(pid \d+\)/)
      await starting.expectLog(/process 1 \(pid \d+\) loaded/)
      process.kill(Number(/process 2 serving \(pid (\d+)\)/.exec(starting.logs())![1]), 'SIGKILL')
      // The replacement (worker 3) loads at once; then both processes say ready (round robin: 4 probes reach both).
      const probes = async () => (await Promise.all(Array.from({length: 4}, () => get(`${starting.url}/v2/health/ready`)))).map((answer) => answer.status)
      let statuses = await probes()
      for (let i = 0; i < 100 && statuses.some((status) => status !== 200); i++) statuses = await new Promise((resolve) => setTimeout(resolve, 200)).then(probes)
      expect(statuses, starting.logs()).toEqual([200, 200, 200, 200])
    } finally {
      await starting.stop()
      repo.cleanup()
    }
  })

  it('prints the listening lines once and says both processes are ready', () => {
    const logs = server.logs()
    for (const line of ['REST server listening on', 'gRPC server listening on', 'metrics listening on', 'start-up loading finished']) {
      expect(logs.split(line).length - 1, line).toBe(1)
    }
    expect(logs).toContain('2 processes ready')
  })

  it('spreads requests over both processes and counts them all in the aggregated metrics', async () => {
    const N = 40
    const INFER = server.url + '/v2/models/mnist_sklearn/versions/v1.0.0/infer'
    for (let i = 0; i < N; i++) expect((await post(INFER, rowRequest(mnist, i % 5))).status).toBe(200)
    const client = inferenceClient(server.grpcAddress)
    try {
      expect((await call(client, 'ServerReady', {})).ready).toBe(true)
    } finally {
      client.close()
    }
    // Access log lines (debug) carry the pid of the process that served them.
    const pids = new Set([...server.logs().matchAll(/POST \/v2\/models\/mnist_sklearn\/versions\/v1\.0\.0\/infer 200.*pid=(\d+)/g)].map((m) => m[1]))
    expect(pids.size).toBe(2)
    const labels = {model: 'mnist_sklearn', version: 'v1.0.0'}
    expect(await sample(server.metricsUrl!, 'model_infer_request_success_total', labels)).toBe(N)
    expect(await sample(server.metricsUrl!, 'model_state', {...labels, state: 'READY'})).toBe(1)
  })

  it('keeps the index consistent across processes on unload and load', async () => {
    const index = async () => (await post(server.url + '/v2/repository/index', {})).body.find((m: {name: string}) => m.name === 'mnist_sklearn').state
    expect((await post(server.url + '/v2/repository/models/mnist_sklearn/unload', {})).status).toBe(200)
    for (let i = 0; i < 20; i++) expect(await index()).toBe('UNAVAILABLE')
    expect(await sample(server.metricsUrl!, 'model_state', {model: 'mnist_sklearn', version: 'v1.0.0', state: 'READY'})).toBe(0)
    expect((await post(server.url + '/v2/models/mnist_sklearn/infer', rowRequest(mnist, 0))).status).not.toBe(200)

    expect((await post(server.url + '/v2/repository/models/mnist_sklearn/load', {})).status).toBe(200)
    for (let i = 0; i < 20; i++) expect(await index()).toBe('READY')
    expect(await sample(server.metricsUrl!, 'model_state', {model: 'mnist_sklearn', version: 'v1.0.0', state: 'READY'})).toBe(1)

    const missing = await post(server.url + '/v2/repository/models/no-such-model/load', {})
    expect(missing.status).toBe(404)
    expect(missing.body.code).toBe('MODEL_NOT_FOUND')
  })

  it('answers statistics and the repository index of the whole server, whichever process is asked', async () => {
    const STATS = server.url + '/v2/models/mnist_sklearn/versions/v1.0.0/stats'
    const INFER = server.url + '/v2/models/mnist_sklearn/versions/v1.0.0/infer'
    const stats = async () => (await get(STATS)).body.model_stats[0]
    const before = await stats()
    const N = 20
    const BAD = 4
    const bad = {inputs: [{name: 'predict', shape: [1, 64], datatype: 'BOOL', data: new Array(64).fill(true)}]}
    for (let i = 0; i < N; i++) expect((await post(INFER, rowRequest(mnist, i % 5))).status).toBe(200)
    for (let i = 0; i < BAD; i++) expect((await post(INFER, bad)).status).toBe(400)
    // Fresh connections: the asks land on both processes, and each answers the sums of both.
    for (let i = 0; i < 10; i++) {
      const now = await stats()
      expect(now.inference_count - before.inference_count).toBe(N)
      expect(now.execution_count - before.execution_count).toBe(N)
      expect(now.inference_stats.success.count - before.inference_stats.success.count).toBe(N)
      expect(now.inference_stats.fail.count - before.inference_stats.fail.count).toBe(BAD)
    }
    const pids = new Set([...server.logs().matchAll(/GET \/v2\/models\/mnist_sklearn\/versions\/v1\.0\.0\/stats 200.*pid=(\d+)/g)].map((m) => m[1]))
    expect(pids.size).toBe(2)
    const client = inferenceClient(server.grpcAddress)
    try {
      const [g] = (await call(client, 'ModelStatistics', {name: 'mnist_sklearn', version: 'v1.0.0'})).model_stats
      expect(Number(g.inference_count) - before.inference_count).toBe(N)
      expect(Number(g.inference_stats.fail.count) - before.inference_stats.fail.count).toBe(BAD)
    } finally {
      client.close()
    }
    // The index, merged from both processes, reads the same from either.
    const first = (await post(server.url + '/v2/repository/index', {})).body
    expect(first.map((m: {name: string; state: string}) => [m.name, m.state])).toEqual([
      ['mnist_sklearn', 'READY'],
      ['mushroom_xgboost', 'READY'],
    ])
    for (let i = 0; i < 6; i++) expect((await post(server.url + '/v2/repository/index', {})).body).toEqual(first)
  })

  it('replaces a process that dies', async () => {
    const pid = Number(/process 1 serving \(pid (\d+)\)/.exec(server.logs())![1])
    process.kill(pid, 'SIGKILL')
    // A replacement imports every module and loads every model again: 15 s was seen on a busy 2-core machine.
    const deadline = Date.now() + 30_000
    const replaced = () => [...server.logs().matchAll(/process 1 \(pid (\d+)\) loaded/g)].some((m) => Number(m[1]) !== pid)
    while (!replaced()) {
      if (Date.now() > deadline) throw new Error(`no replacement:\n${server.logs()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await server.expectLog(`process 1 (pid ${pid}) exited`)
    for (let i = 0; i < 10; i++) expect((await post(server.url + '/v2/models/mnist_sklearn/infer', rowRequest(mnist, 0))).status).toBe(200)
  }, 40_000)

  it('stops every process on SIGTERM and exits 0, a replacement still starting too', async () => {
    const pid = Number(/process 2 serving \(pid (\d+)\)/.exec(server.logs())![1])
    process.kill(pid, 'SIGKILL')
    // Bounded: the primary logs the exit as soon as it sees it, and forks the replacement at once.
    const deadline = Date.now() + 10_000
    while (!server.logs().includes(`process 2 (pid ${pid}) exited`)) {
      if (Date.now() > deadline) throw new Error(`no exit seen:\n${server.logs()}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    // The replacement is still loading its modules: it cannot heed the primary's stop message yet.
    expect(await server.stop('SIGTERM')).toBe(0)
    await server.expectLog(/INFO {2}stopped/)
  }, 30_000)
})
