/**
 * gRPC fuzz cases: a seed as a ModelInferRequest (typed contents or raw_input_contents), mutated structurally (the
 * message) and at the byte level (the encoded protobuf frame), plus read-only rpcs with odd names; and the client that
 * sends the bytes as they are, so malformed frames reach the server.
 */
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import {mutateBytes} from './byte-mutators.js'
import {rawBytes, type Seed, type SeedInput} from './corpus.js'
import {ODD_DATATYPES} from './json-mutators.js'
import type {GrpcAnswer} from './oracle.js'
import type {Prng} from './prng.js'

const PROTO = fileURLToPath(new URL('../fixtures/oip-client.proto', import.meta.url))
const OPTIONS: protoLoader.Options = {keepCase: true, longs: String, enums: String, defaults: true, arrays: true, objects: true, oneofs: true}
const SERVICE = (grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, OPTIONS)) as any).inference.GRPCInferenceService.service as grpc.ServiceDefinition

export interface GrpcCase {
  readonly method: string
  /** The encoded request; base64 in regression files. */
  readonly bytes: Buffer
  readonly what: string[]
}

const FIELD: Record<string, string | undefined> = {
  BOOL: 'bools', INT8: 'ints', INT16: 'ints', INT32: 'ints', INT64: 'int64s', UINT8: 'uints', UINT16: 'uints', UINT32: 'uints', UINT64: 'uint64s',
  FP32: 'fp32s', FP64: 'fp64s', BYTES: 'bytes',
}
const FIELDS = ['bools', 'ints', 'int64s', 'uints', 'uint64s', 'fp32s', 'fp64s', 'bytes']
const ODD_NAMES = ['', 'nope', '../../etc/passwd', 'a\u0000b', 'x'.repeat(10_000), '😀', '__proto__', 'mnist_sklearn/../identity_fp32']

/** Values converted to what a contents field holds, so the message still encodes. */
function asField(field: string, values: unknown[]): unknown[] {
  switch (field) {
    case 'bools': return values.map(Boolean)
    case 'bytes': return values.map((v) => Buffer.from(String(v)))
    case 'fp32s':
    case 'fp64s': return values.map((v) => (typeof v === 'number' ? v : Number(v) || 0))
    default: return values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(Math.abs(v) > 2 ** 53 ? 1 : v) : 1))
  }
}

function typedInput(input: SeedInput) {
  const field = FIELD[input.datatype]!
  return {name: input.name, datatype: input.datatype, shape: input.shape, parameters: {}, contents: {[field]: asField(field, input.data)}}
}

function param(rng: Prng) {
  return rng.pick<Record<string, unknown>>([{b: true}, {i: '9223372036854775807'}, {i: '-9223372036854775808'}, {s: 'str'}, {s: 'foo'}, {s: ''}, {d: NaN}, {d: 1e308}, {u: '18446744073709551615'}, {}])
}

function mutateMessage(rng: Prng, message: any): string {
  const input = message.inputs.length > 0 ? rng.pick(message.inputs as any[]) : undefined
  switch (rng.int(12)) {
    case 0: message.model_name = rng.pick(ODD_NAMES); return 'model name'
    case 1: message.model_version = rng.pick([...ODD_NAMES, 'v9']); return 'model version'
    case 2: if (input) input.datatype = rng.pick(ODD_DATATYPES); return 'datatype'
    case 3:
      if (input) input.shape = rng.pick<unknown[]>([[], [0], ['9223372036854775807'], ['-1'], [2 ** 40, 2 ** 40], Array.from({length: 100}, () => 1), ['4294967296', '4294967296'], [...input.shape, 2]])
      return 'shape'
    case 4:
      if (input) {
        const values = Object.values(input.contents ?? {}).flat() as unknown[]
        const field = rng.pick(FIELDS)
        input.contents = rng.chance(0.5) ? {[field]: asField(field, values)} : {...input.contents, [field]: asField(field, values)}
      }
      return 'contents in another field'
    case 5:
      if (input?.contents) {
        for (const field of Object.keys(input.contents)) {
          const values = input.contents[field] as unknown[]
          input.contents[field] = rng.pick([values.slice(0, rng.int(values.length + 1)), [...values, ...values], []])
        }
      }
      return 'contents count'
    case 6: {
      const raw = message.raw_input_contents as Buffer[]
      const choice = rng.int(4)
      if (choice === 0 && raw.length > 0) raw[0] = raw[0].subarray(0, rng.int(raw[0].length + 1))
      else if (choice === 1) raw.push(Buffer.alloc(rng.pick([0, 3, 1024])))
      else if (choice === 2) message.raw_input_contents = raw.slice(1)
      else if (input) message.raw_input_contents = message.inputs.map(() => Buffer.from(Uint8Array.from({length: rng.range(0, 64)}, () => rng.int(256))))
      return 'raw_input_contents'
    }
    case 7: {
      const owner = rng.pick<any>([message, input ?? message, ...(message.outputs ?? [])])
      owner.parameters = {...owner.parameters, [rng.pick(['content_type', 'binary_data_size', 'binary_data_output', 'x'])]: param(rng)}
      return 'parameters'
    }
    case 8: {
      const choice = rng.int(3)
      if (choice === 0 && input) message.inputs.push(structuredClone(input))
      else if (choice === 1) message.inputs = []
      else if (input) input.name = rng.pick(ODD_NAMES)
      return 'inputs'
    }
    case 9: message.outputs = rng.pick([[{name: 'nope'}], [{name: ''}], [{name: 'y'}, {name: 'y'}], [{name: 'predict', parameters: {binary_data: {b: true}}}]]); return 'outputs'
    case 10: message.id = rng.pick(ODD_NAMES); return 'id'
    default:
      if (input) {
        input.datatype = 'BYTES'
        input.parameters = {content_type: {s: 'str'}}
        input.contents = {bytes: [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3])]}
        message.raw_input_contents = []
      }
      return 'BYTES that are not UTF-8, as str'
  }
}

/** A ModelInferRequest for `seed` (typed or raw contents), mutated structurally. */
function inferMessage(rng: Prng, seed: Seed, what: string[]): any {
  const raw = seed.inputs.some((i) => FIELD[i.datatype] === undefined) || rng.chance(0.35)
  const message = {
    model_name: seed.model,
    model_version: seed.version ?? '',
    inputs: seed.inputs.map((i) => (raw ? {name: i.name, datatype: i.datatype, shape: i.shape, parameters: {}} : typedInput(i))) as any[],
    outputs: [],
    raw_input_contents: raw ? seed.inputs.map((i) => Buffer.from(rawBytes(i))) : [],
  }
  if (raw) what.push('raw contents')
  for (const input of seed.inputs) {
    const content = input.parameters?.content_type
    if (typeof content === 'string') message.inputs.find((i) => i.name === input.name).parameters = {content_type: {s: content}}
  }
  const structural = rng.chance(0.8) ? rng.range(1, 3) : 0
  for (let i = 0; i < structural; i++) what.push(mutateMessage(rng, message))
  return message
}

/** The encoded message, byte-mutated now and then; undefined when it cannot be encoded. */
function encode(rng: Prng, method: string, message: unknown, what: string[]): Buffer | undefined {
  let bytes: Buffer
  try {
    bytes = SERVICE[method].requestSerialize(message)
  } catch {
    return undefined
  }
  if (rng.chance(0.3)) {
    const mutated = mutateBytes(rng, bytes)
    bytes = Buffer.from(mutated.bytes)
    what.push(`protobuf bytes: ${mutated.what}`)
  }
  return bytes
}

/** Several messages of a stream in one buffer: each as a 4-byte little-endian length, then its bytes. */
export function joinFrames(frames: readonly Buffer[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => [Buffer.from(new Uint32Array([f.length]).buffer), f]))
}

export function splitFrames(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = []
  for (let offset = 0; offset + 4 <= bytes.length; ) {
    const length = bytes.readUInt32LE(offset)
    frames.push(bytes.subarray(offset + 4, offset + 4 + length))
    offset += 4 + length
  }
  return frames
}

/**
 * Case `rng` of a run, or undefined when a mutated message cannot be encoded at all (skipped, and counted): mostly
 * ModelInfer, sometimes a ModelStreamInfer of 1 to 3 messages (`bytes` holds them joined), sometimes a read-only rpc.
 */
export function makeGrpcCase(rng: Prng, seed: Seed): GrpcCase | undefined {
  const what: string[] = []
  if (rng.chance(0.08)) {
    const method = rng.pick(['ModelMetadata', 'ModelReady', 'ServerMetadata', 'ServerReady', 'RepositoryIndex'])
    const message = method.startsWith('Model') ? {name: rng.chance(0.5) ? seed.model : rng.pick(ODD_NAMES), version: rng.chance(0.7) ? (seed.version ?? '') : rng.pick(ODD_NAMES)} : {}
    what.push(method)
    const bytes = encode(rng, method, message, what)
    return bytes && {method, bytes, what}
  }
  if (rng.chance(0.05)) {
    const frames: Buffer[] = []
    const n = rng.range(1, 3)
    what.push(`ModelStreamInfer of ${n}`)
    for (let i = 0; i < n; i++) {
      const frame = encode(rng, 'ModelStreamInfer', inferMessage(rng, seed, what), what)
      if (frame === undefined) return undefined
      frames.push(frame)
    }
    return {method: 'ModelStreamInfer', bytes: joinFrames(frames), what}
  }
  const bytes = encode(rng, 'ModelInfer', inferMessage(rng, seed, what), what)
  return bytes && {method: 'ModelInfer', bytes, what}
}

export class GrpcClient {
  private readonly client: grpc.Client

  constructor(address: string) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20})
  }

  send(c: GrpcCase, timeoutMs = 15_000): Promise<GrpcAnswer> {
    if (c.method === 'ModelStreamInfer') return this.stream(c, timeoutMs)
    const definition = SERVICE[c.method]
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        definition.path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        c.bytes,
        new grpc.Metadata(),
        {deadline: Date.now() + timeoutMs},
        (error: grpc.ServiceError | null, response?: Buffer) => {
          if (error) {
            resolve({code: error.code, details: error.details, errorCode: error.metadata?.get('mls-error-code')[0]})
            return
          }
          let decoded: unknown
          try {
            decoded = definition.responseDeserialize(response!)
          } catch (thrown) {
            resolve({code: grpc.status.INTERNAL, details: `the response does not decode: ${(thrown as Error).message}`})
            return
          }
          resolve({code: grpc.status.OK, response: c.method === 'ModelInfer' ? decoded : undefined})
        },
      )
    })
  }

  /** The messages of a ModelStreamInfer case, sent in order, then half-close; the final status and every response. */
  private stream(c: GrpcCase, timeoutMs: number): Promise<GrpcAnswer> {
    const definition = SERVICE.ModelStreamInfer
    const frames = splitFrames(c.bytes)
    return new Promise((resolve) => {
      const call = this.client.makeBidiStreamRequest(definition.path, (b: Buffer) => b, (b: Buffer) => b, new grpc.Metadata(), {deadline: Date.now() + timeoutMs})
      const responses: unknown[] = []
      let undecodable: string | undefined
      call.on('data', (bytes: Buffer) => {
        try {
          responses.push(definition.responseDeserialize(bytes))
        } catch (thrown) {
          undecodable = (thrown as Error).message
        }
      })
      call.on('error', () => undefined) // the status below says it all
      call.on('status', (status: grpc.StatusObject) => {
        if (undecodable !== undefined) resolve({code: grpc.status.INTERNAL, details: `a response does not decode: ${undecodable}`})
        else resolve({code: status.code, details: status.details, errorCode: status.metadata?.get('mls-error-code')[0], responses, sent: frames.length})
      })
      for (const frame of frames) call.write(frame)
      call.end()
    })
  }

  /** A well-formed call: the decoded response, or the ServiceError. */
  call(method: string, message: unknown): Promise<any> {
    const definition = SERVICE[method]
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(definition.path, definition.requestSerialize, definition.responseDeserialize, message, (error, response) => (error ? reject(error) : resolve(response)))
    })
  }

  close(): void {
    this.client.close()
  }
}
