/** After a fuzz or soak run: is the server live and ready on both transports, does every seed still answer correctly, and how much memory does it hold. */
import {seeds} from './corpus.js'
import {GrpcClient} from './grpc-driver.js'

const close = (a: unknown, b: unknown) =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)) : a === b

/** What is wrong with the server now (empty when nothing is). */
export async function checkServing(url: string, grpcAddress: string): Promise<string[]> {
  const problems: string[] = []
  for (const path of ['/v2/health/live', '/v2/health/ready']) {
    const res = await fetch(url + path)
    if (res.status !== 200) problems.push(`${path}: ${res.status}`)
  }
  for (const seed of seeds()) {
    if (seed.expected === undefined) continue
    const path = seed.version === undefined ? `/v2/models/${seed.model}/infer` : `/v2/models/${seed.model}/versions/${seed.version}/infer`
    const res = await fetch(url + path, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({inputs: seed.inputs})})
    const body = (await res.json()) as {outputs?: Array<{data: unknown[]}>}
    const data = body.outputs?.[0]?.data
    if (res.status !== 200 || !Array.isArray(data) || data.length !== seed.expected.length || !data.every((v, i) => close(v, seed.expected![i]))) {
      problems.push(`${seed.model}: ${res.status} ${JSON.stringify(body).slice(0, 200)}, expected ${JSON.stringify(seed.expected)}`)
    }
  }
  const client = new GrpcClient(grpcAddress)
  try {
    const ready = await client.call('ServerReady', {})
    if (ready.ready !== true) problems.push(`gRPC ServerReady: ${JSON.stringify(ready)}`)
  } catch (error) {
    problems.push(`gRPC ServerReady: ${(error as Error).message}`)
  } finally {
    client.close()
  }
  return problems
}

/** The server's resident set size in bytes, from its metrics endpoint (process_resident_memory_bytes). */
export async function serverRss(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text()
  const line = /^process_resident_memory_bytes (\S+)$/m.exec(text)
  if (line === null) throw new Error(`no process_resident_memory_bytes at ${metricsUrl}`)
  return Number(line[1])
}
