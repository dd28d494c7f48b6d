/**
 * REST fuzz cases: a seed request as JSON or in the binary tensor extension's framing, mutated structurally (the JSON
 * tree), at the byte level (the body), in its headers and in its path; and the client that sends one.
 */
import {Agent, request} from 'undici'
import {mutateBytes} from './byte-mutators.js'
import {rawBytes, type Seed} from './corpus.js'
import {mutateJson, serialize, type Json} from './json-mutators.js'
import type {RestAnswer} from './oracle.js'
import type {Prng} from './prng.js'

export interface RestCase {
  readonly path: string
  readonly headers: Record<string, string>
  /** Base64 in regression files. */
  readonly body: Buffer
  /** The mutations applied, for the report. */
  readonly what: string[]
}

const ODD_NAMES = ['nope', '..%2F..%2Fetc%2Fpasswd', '..', '%2E%2E', 'a%00b', 'x'.repeat(600), '%F0%9F%98%80', '__proto__', 'constructor', '%25', 'mnist_sklearn%2Finfer']
const CONTENT_TYPES = ['text/plain', 'application/octet-stream', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/JSON', '*/*', 'application/json;;']

function pathOf(rng: Prng, seed: Seed, what: string[]): string {
  let model = seed.model
  let version = seed.version
  if (rng.chance(0.05)) {
    model = rng.pick(ODD_NAMES)
    what.push(`model name ${model.slice(0, 20)}`)
  }
  if (rng.chance(0.05)) {
    version = rng.pick([...ODD_NAMES, '', 'v1.0.0', 'v9'])
    what.push(`version ${version.slice(0, 20)}`)
  }
  return version === undefined ? `/v2/models/${model}/infer` : `/v2/models/${model}/versions/${version}/infer`
}

/** Case `rng` of a run: which mutations, how many, where. */
export function makeRestCase(rng: Prng, seed: Seed): RestCase {
  const what: string[] = []
  const doc = {inputs: seed.inputs.map((i) => structuredClone(i)), ...(seed.parameters ? {parameters: structuredClone(seed.parameters)} : {})} as unknown as {[key: string]: Json}
  const binary = rng.chance(0.25)
  const tails: Uint8Array[] = []
  if (binary) {
    what.push('binary extension')
    for (const input of doc.inputs as Array<{[key: string]: Json}>) {
      const bytes = rawBytes(input as never)
      delete input.data
      input.parameters = {...(input.parameters as object), binary_data_size: bytes.length}
      tails.push(bytes)
    }
  }
  if (rng.chance(0.15)) doc.parameters = {...(doc.parameters as object), binary_data_output: true}
  const structural = rng.chance(0.8) ? rng.range(1, 3) : 0
  for (let i = 0; i < structural; i++) what.push(mutateJson(rng, doc))

  let header = Buffer.from(serialize(doc))
  if (rng.chance(0.3)) {
    const mutated = mutateBytes(rng, header)
    header = Buffer.from(mutated.bytes)
    what.push(`JSON text: ${mutated.what}`)
  }
  let tail = Buffer.concat(tails)
  if (binary && rng.chance(0.3)) {
    const mutated = mutateBytes(rng, tail)
    tail = Buffer.from(mutated.bytes)
    what.push(`binary data: ${mutated.what}`)
  }
  const headers: Record<string, string> = {'content-type': binary ? 'application/octet-stream' : 'application/json'}
  if (binary) {
    let length = String(header.length)
    if (rng.chance(0.2)) {
      length = rng.pick([String(header.length + rng.range(1, 50)), String(header.length - rng.range(1, 50)), '-1', '99999999999', '1e3', 'ten', '', ' 5', '0x10', String(2 ** 53)])
      what.push(`Inference-Header-Content-Length ${JSON.stringify(length)}`)
    }
    headers['inference-header-content-length'] = length
  }
  if (rng.chance(0.08)) {
    const type = rng.pick(CONTENT_TYPES)
    headers['content-type'] = type
    what.push(`content type ${type}`)
  } else if (rng.chance(0.03)) {
    delete headers['content-type']
    what.push('no content type')
  }
  return {path: pathOf(rng, seed, what), headers, body: Buffer.concat([header, tail]), what}
}

export class RestClient {
  private readonly agent = new Agent({connections: 32, pipelining: 1, keepAliveTimeout: 10_000})

  constructor(private readonly base: string) {}

  async send(c: RestCase, timeoutMs = 15_000): Promise<RestAnswer> {
    const res = await request(this.base + c.path, {
      method: 'POST',
      headers: c.headers,
      body: c.body,
      dispatcher: this.agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    })
    const body = Buffer.from(await res.body.arrayBuffer())
    const header = (name: string) => {
      const value = res.headers[name]
      return Array.isArray(value) ? value.join(',') : value
    }
    return {status: res.statusCode, contentType: header('content-type') ?? '', headerLength: header('inference-header-content-length'), body}
  }

  close(): Promise<void> {
    return this.agent.close()
  }
}
