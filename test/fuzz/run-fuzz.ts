/**
 * A seeded, bounded fuzz run against a running server: case i of seed S is made from Prng.forCase(S, i) alone (REST
 * or gRPC, which seed request, which mutations), sent with bounded concurrency, and judged by the oracle. Cases that
 * fail are returned as regression cases: the concrete request, replayable without the generator.
 */
import * as grpc from '@grpc/grpc-js'
import {seeds, type Seed} from './corpus.js'
import {GrpcClient, makeGrpcCase, type GrpcCase} from './grpc-driver.js'
import {judgeGrpc, judgeRest} from './oracle.js'
import {Prng} from './prng.js'
import {RestClient, makeRestCase, type RestCase} from './rest-driver.js'

export type RegressionCase =
  | {transport: 'rest'; found: string; reason: string; path: string; headers: Record<string, string>; body: string}
  | {transport: 'grpc'; found: string; reason: string; method: string; bytes: string}

export interface FuzzOptions {
  readonly url: string
  readonly grpcAddress: string
  readonly seed: number
  readonly count: number
  /** Share of cases sent over REST (the rest go over gRPC); default 0.6. */
  readonly restShare?: number
  readonly concurrency?: number
}

export interface FuzzReport {
  readonly sent: {rest: number; grpc: number}
  /** gRPC cases whose mutated message could not be encoded at all (never sent). */
  readonly unencodable: number
  /** Answers by status: "rest 400 INVALID_DATA", "grpc INVALID_ARGUMENT", "rest 200" ... */
  readonly outcomes: Record<string, number>
  readonly failures: RegressionCase[]
  readonly seconds: number
}

export interface Clients {
  readonly rest: RestClient
  readonly grpc: GrpcClient
}

export function openClients(url: string, grpcAddress: string): Clients {
  return {rest: new RestClient(url), grpc: new GrpcClient(grpcAddress)}
}

export async function closeClients(clients: Clients): Promise<void> {
  clients.grpc.close()
  await clients.rest.close()
}

/** Sends one REST case; the reason it is not well-formed, or undefined, and how it was answered. */
export async function tryRest(clients: Clients, c: RestCase): Promise<{reason?: string; outcome: string}> {
  try {
    const answer = await clients.rest.send(c)
    let code = ''
    if (answer.status !== 200 && answer.contentType.startsWith('application/json')) {
      try {
        code = ` ${JSON.parse(answer.body.toString('utf8')).code}`
      } catch {
        // judged below
      }
    }
    return {reason: judgeRest(answer), outcome: `rest ${answer.status}${code}`}
  } catch (error) {
    return {reason: `no answer: ${(error as Error).message}`, outcome: 'rest no answer'}
  }
}

export async function tryGrpc(clients: Clients, c: GrpcCase): Promise<{reason?: string; outcome: string}> {
  const answer = await clients.grpc.send(c)
  const errorCode = answer.code === grpc.status.OK ? '' : ` ${String(answer.errorCode ?? '-')}`
  return {reason: judgeGrpc(answer), outcome: `grpc ${c.method === 'ModelStreamInfer' ? 'stream ' : ''}${grpc.status[answer.code]}${errorCode}`}
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const corpus: Seed[] = seeds()
  const clients = openClients(options.url, options.grpcAddress)
  const restShare = options.restShare ?? 0.6
  const sent = {rest: 0, grpc: 0}
  const outcomes: Record<string, number> = {}
  const failures: RegressionCase[] = []
  let unencodable = 0
  let next = 0
  const started = performance.now()

  /** Builds case `index` (synchronously) and returns how to send it, or undefined when it cannot be encoded. */
  const build = (index: number): (() => Promise<void>) | undefined => {
    const rng = Prng.forCase(options.seed, index)
    const found = `seed ${options.seed} case ${index}`
    const seed = rng.pick(corpus)
    if (rng.chance(restShare)) {
      const c = makeRestCase(rng, seed)
      sent.rest++
      return async () => {
        const {reason, outcome} = await tryRest(clients, c)
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
        if (reason !== undefined) failures.push({transport: 'rest', found: `${found} (${c.what.join('; ')})`, reason, path: c.path, headers: c.headers, body: c.body.toString('base64')})
      }
    }
    const c = makeGrpcCase(rng, seed)
    if (c === undefined) return undefined
    sent.grpc++
    return async () => {
      const {reason, outcome} = await tryGrpc(clients, c)
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
      if (reason !== undefined) failures.push({transport: 'grpc', found: `${found} (${c.what.join('; ')})`, reason, method: c.method, bytes: c.bytes.toString('base64')})
    }
  }

  // `count` requests are sent: a case that cannot be encoded is counted apart and the next index takes its place.
  const worker = async () => {
    while (sent.rest + sent.grpc < options.count) {
      const send = build(next++)
      if (send === undefined) unencodable++
      else await send()
    }
  }
  try {
    await Promise.all(Array.from({length: options.concurrency ?? 16}, worker))
  } finally {
    await closeClients(clients)
  }
  return {sent, unencodable, outcomes, failures, seconds: (performance.now() - started) / 1000}
}

/** Sends a regression case again; the reason it is still not well-formed, or undefined. */
export async function replay(clients: Clients, c: RegressionCase): Promise<string | undefined> {
  if (c.transport === 'rest') {
    return (await tryRest(clients, {path: c.path, headers: c.headers, body: Buffer.from(c.body, 'base64'), what: []})).reason
  }
  return (await tryGrpc(clients, {method: c.method, bytes: Buffer.from(c.bytes, 'base64'), what: []})).reason
}
