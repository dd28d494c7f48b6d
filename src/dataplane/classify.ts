/**
 * The classification extension (Triton's): a requested output with `parameters.classification: k` is answered as
 * the k highest-scoring classes of each row instead of the raw scores, as BYTES "score:index" or "score:index:label"
 * (labels from model-settings `parameters.labels`), best first. A [batch, classes] output gives [batch, min(k,
 * classes)], a [classes] one [min(k, classes)]. The score is written as Triton writes it (C++ std::to_string: integers
 * as they are, floats with six decimals). Done once here, before any transport encodes the answer, so REST (JSON and
 * binary data) and gRPC carry the same strings.
 */
import {MlsError} from '../errors.js'
import {DATATYPES, type Datatype} from '../protocol/datatypes.js'
import type {Tensor, TensorMetadata} from '../protocol/types.js'

/** The parameter's name, on REST and gRPC alike (tritonclient's InferRequestedOutput(class_count=k)). */
export const CLASSIFICATION = 'classification'

/** Output name -> k, for the requested outputs that ask for classes. */
export type Classifications = ReadonlyMap<string, number>

interface RequestedOutput {
  readonly name: string
  readonly parameters?: Readonly<Record<string, unknown>>
}

/** Whether a datatype holds scores that can be ranked: every numeric one (BOOL and BYTES are not scores). */
function rankable(datatype: Datatype): boolean {
  const {kind} = DATATYPES[datatype]
  return kind === 'int' || kind === 'uint' || kind === 'float'
}

function unsupported(name: string, why: string): MlsError {
  return new MlsError('UNSUPPORTED_PARAMETER', `output "${name}": parameters.classification cannot be applied: ${why}`)
}

/**
 * The classifications `outputs` ask for, checked against what the model declares; undefined when none does.
 * A k that is not a whole number of at least 1 is INVALID_REQUEST (the parameter is malformed); an output the model
 * declares as something other than a score vector is UNSUPPORTED_PARAMETER, before the runtime runs.
 */
export function classificationsOf(outputs: readonly RequestedOutput[] | undefined, declared: readonly TensorMetadata[]): Classifications | undefined {
  if (outputs === undefined) return undefined
  let wanted: Map<string, number> | undefined
  for (const output of outputs) {
    const parameters = output.parameters
    if (parameters === undefined || !Object.hasOwn(parameters, CLASSIFICATION)) continue
    const k = parameters[CLASSIFICATION]
    if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) {
      throw new MlsError(
        'INVALID_REQUEST',
        `output "${output.name}": parameters.classification: expected a whole number of classes of at least 1, found ${typeof k === 'string' ? `"${k}"` : JSON.stringify(k) ?? String(k)}`,
      )
    }
    const meta = declared.find((d) => d.name === output.name)
    if (meta !== undefined) checkScores(output.name, meta.datatype, meta.shape)
    ;(wanted ??= new Map()).set(output.name, k)
  }
  return wanted
}

/** Throws UNSUPPORTED_PARAMETER unless datatype/shape are a score vector: numeric, [classes] or [batch, classes]. */
function checkScores(name: string, datatype: Datatype, shape: readonly number[]): void {
  if (!rankable(datatype)) throw unsupported(name, `it is ${datatype}, not numeric scores`)
  if (shape.length < 1 || shape.length > 2) {
    throw unsupported(name, `its shape is [${shape.join(', ')}]; classes are ranked in a [classes] or [batch, classes] output`)
  }
}

/** `outputs` with each one `wanted` replaced by its top-k classes; UNSUPPORTED_PARAMETER when one is not a score vector. */
export function classifyOutputs(outputs: readonly Tensor[], wanted: Classifications, labels?: readonly string[]): Tensor[] {
  for (const name of wanted.keys()) {
    if (!outputs.some((o) => o.name === name)) throw unsupported(name, 'the model did not return this output')
  }
  return outputs.map((tensor) => {
    const k = wanted.get(tensor.name)
    return k === undefined ? tensor : topClasses(tensor, k, labels)
  })
}

function topClasses(tensor: Tensor, k: number, labels: readonly string[] | undefined): Tensor {
  checkScores(tensor.name, tensor.datatype, tensor.shape)
  const batched = tensor.shape.length === 2
  const rows = batched ? tensor.shape[0] : 1
  const classes = batched ? tensor.shape[1] : tensor.shape[0]
  const count = Math.min(k, classes)
  const scores = tensor.data as ArrayLike<number | bigint>
  const integer = DATATYPES[tensor.datatype].kind !== 'float'
  const data: Uint8Array[] = new Array(rows * count)
  const order = new Array<number>(classes)
  for (let row = 0; row < rows; row++) {
    const base = row * classes
    for (let i = 0; i < classes; i++) order[i] = i
    // Best first; equal scores by index; NaN (which ranks against nothing) last.
    order.sort((a, b) => compareScores(scores[base + a], scores[base + b]) || a - b)
    for (let j = 0; j < count; j++) {
      const index = order[j]
      const label = labels !== undefined && index < labels.length ? `:${labels[index]}` : ''
      data[row * count + j] = Buffer.from(`${formatScore(scores[base + index], integer)}:${index}${label}`)
    }
  }
  return {name: tensor.name, datatype: 'BYTES', shape: batched ? [rows, count] : [count], data, ...(tensor.parameters === undefined ? {} : {parameters: tensor.parameters})}
}

/** Descending order of two scores; NaN after every number. */
function compareScores(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && Number.isNaN(a)) return typeof b === 'number' && Number.isNaN(b) ? 0 : 1
  if (typeof b === 'number' && Number.isNaN(b)) return -1
  return a > b ? -1 : a < b ? 1 : 0
}

/**
 * A score as C++ std::to_string writes it, which Triton uses: integers (bigint, or the integer datatypes' values) in
 * full; floating-point values as printf("%f"): six decimals, rounded to nearest with exact ties to even, "-0.000000",
 * "nan", "inf", "-inf".
 */
export function formatScore(value: number | bigint, integer = false): string {
  if (typeof value === 'bigint') return value.toString()
  if (integer) return String(value)
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  const magnitude = Math.abs(value)
  // toFixed switches to exponent notation from 1e21; such values are whole numbers, printed in full by %f.
  const digits = magnitude >= 1e21 ? `${BigInt(magnitude)}.000000` : roundedSix(magnitude)
  return value < 0 || Object.is(value, -0) ? `-${digits}` : digits
}

/**
 * `x` (>= 0, < 1e21) with six decimals. toFixed rounds exact ties away from zero, printf to even; a double is an exact
 * tie at the sixth decimal only when x * 128 is an odd integer (x = q / 2^7: 10^6 = 2^6 * 5^6 leaves one factor 2).
 */
function roundedSix(x: number): string {
  const scaled = x * 128
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    const exact = x.toFixed(7) // ends in 5: the tie, written exactly
    const down = exact.slice(0, -1)
    if (Number(down[down.length - 1]) % 2 === 0) return down
  }
  return x.toFixed(6)
}
