/**
 * The valid V2 requests the fuzzer mutates, and the repository that serves them: the example's two models (ONNX
 * mnist_sklearn, XGBoost mushroom_xgboost), the XGBoost UBJSON model and one identity model per datatype from
 * test/fixtures (BOOL to BYTES, FP16 included). Each seed also says what a correct answer is, for the final check.
 */
import {cpSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {DATATYPE_NAMES, DATATYPES, type Datatype} from '../../src/protocol/datatypes.js'
import {encodeRaw} from '../../src/protocol/raw.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const EXAMPLE_MODELS = path.join(ROOT, 'examples/multi-model/models')

export interface SeedInput {
  name: string
  datatype: Datatype
  shape: number[]
  /** Flat JSON values (numbers, booleans, strings, null). */
  data: Array<number | boolean | string | null>
  parameters?: Record<string, unknown>
}

export interface Seed {
  readonly model: string
  readonly version?: string
  readonly inputs: readonly SeedInput[]
  readonly parameters?: Record<string, unknown>
  /** The output values a correct answer has (the first output, flat), when known exactly. */
  readonly expected?: ReadonlyArray<number | boolean | string>
}

interface TestSet {
  request: {inputs: Array<{shape: number[]; data: Array<number | null>}>}
  expected: {predict: number[]}
}

const readSet = (file: string) => JSON.parse(readFileSync(path.join(EXAMPLE_MODELS, file), 'utf8')) as TestSet

function rows(set: TestSet, model: string, version: string | undefined, count: number, exact: boolean): Seed[] {
  const {shape, data} = set.request.inputs[0]
  const width = shape[1]
  return Array.from({length: count}, (_, row) => ({
    model,
    version,
    inputs: [{name: 'predict', datatype: 'FP32' as const, shape: [1, width], data: data.slice(row * width, (row + 1) * width)}],
    expected: exact ? [set.expected.predict[row]] : undefined,
  }))
}

const IDENTITY_VALUES: Record<Datatype, SeedInput['data']> = {
  BOOL: [true, false, true],
  UINT8: [0, 7, 255],
  UINT16: [1, 300, 65535],
  UINT32: [1, 70000, 4294967295],
  UINT64: [0, 5, 9007199254740991],
  INT8: [-128, 0, 127],
  INT16: [-32768, 5, 32767],
  INT32: [-2147483648, 9, 2147483647],
  INT64: [-9007199254740991, 3, 9007199254740991],
  FP16: [0.5, -2, 1024],
  FP32: [0.25, -1.5, 3],
  FP64: [0.1, -2.75, 1e300],
  BYTES: ['a', 'héllo wörld', ''],
}

/** Every seed request. */
export function seeds(): Seed[] {
  const mnist = readSet('mnist_sklearn/test-set.json')
  const mushroom = readSet('mushroom_xgboost/test-set-missing.json')
  const identity = DATATYPE_NAMES.map((datatype): Seed => ({
    model: `identity_${datatype.toLowerCase()}`,
    inputs: [{name: 'x', datatype, shape: [3], data: IDENTITY_VALUES[datatype]}],
    expected: IDENTITY_VALUES[datatype] as Array<number | boolean | string>,
  }))
  const text: Seed = {
    model: 'identity_bytes',
    inputs: [{name: 'x', datatype: 'BYTES', shape: [2], data: ['str', 'ünïcode'], parameters: {content_type: 'str'}}],
    expected: ['str', 'ünïcode'],
  }
  return [
    ...rows(mnist, 'mnist_sklearn', 'v1.0.0', 3, true),
    ...rows(mushroom, 'mushroom_xgboost', 'v2.0.0', 2, false),
    ...rows(mushroom, 'mushroom_ubj', undefined, 2, false),
    ...identity,
    text,
  ]
}

/** The raw little-endian bytes of an input's data (binary extension, gRPC raw_input_contents). */
export function rawBytes(input: SeedInput): Uint8Array {
  const info = DATATYPES[input.datatype]
  if (input.datatype === 'BYTES') return encodeRaw('BYTES', input.data.map((v) => new TextEncoder().encode(String(v))))
  if (info.big) {
    const Big = info.array as unknown as {from(values: bigint[]): BigInt64Array}
    return encodeRaw(input.datatype, Big.from(input.data.map((v) => BigInt(v as number))))
  }
  const values = input.data.map((v) => (v === null ? NaN : typeof v === 'boolean' ? Number(v) : (v as number)))
  const Ctor = info.array as unknown as {from(values: number[]): Float32Array}
  return encodeRaw(input.datatype, Ctor.from(values))
}

/** A temporary repository holding every model the seeds name. */
export function fuzzRepository(): {dir: string; cleanup(): void} {
  const dir = mkdtempSync(path.join(tmpdir(), 'mls-fuzz-'))
  for (const model of ['mnist_sklearn', 'mushroom_xgboost']) {
    cpSync(path.join(EXAMPLE_MODELS, model), path.join(dir, model), {recursive: true, filter: (src) => !src.endsWith('.py')})
  }
  cpSync(path.join(ROOT, 'test/fixtures/models'), dir, {recursive: true})
  cpSync(path.join(ROOT, 'test/fixtures/models-xgboost'), dir, {recursive: true})
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})}
}
