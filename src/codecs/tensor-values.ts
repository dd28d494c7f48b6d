/**
 * The one tensor value validator: checks every element of a tensor's values against a datatype and writes them into
 * the array that datatype is held in (BOOL as 0/1 bytes, BYTES as one UTF-8 byte string per element, FP16 as
 * Float32Array), in one pass. The data plane uses it for what clients send, the codecs and the client for values
 * from code; `from` says which, since the two accept a little differently.
 *
 * Declared and target datatype may differ for client data (the data plane converts to the model's datatype): numbers
 * change type only where no value changes meaning. Any number into a float input, integers into an integer input
 * when every value fits both the declared and the target type; a fraction into an integer input is refused.
 */
import {encodeUtf8} from '../protocol/bytes.js'
import {DATATYPES, type Datatype, type DatatypeInfo, type NumericArray} from '../protocol/datatypes.js'
import type {TensorData} from '../protocol/types.js'
import {describe} from './codec-error.js'

/**
 * Where values come from. `json` and `wire` are a client's: booleans for BOOL, numbers (null is NaN for the floating
 * types), an integer past ±(2^53 - 1) for INT64 / UINT64 refused (JSON has lost its digits), and a finite number
 * beyond a float datatype's range refused (1e39 for FP32 would become Infinity). `json` is a JSON body's: JSON cannot
 * say Infinity, so a number that parsed as ±Infinity (1e400) overflowed FP64 and is refused; `wire` is gRPC contents
 * or raw bytes, whose floats may be infinite. `code`: values a program made (a runtime, a codec's caller, the CLI):
 * bigints too, 0 / 1 for BOOL, and floats as the typed array rounds them.
 */
export type ValueSource = 'json' | 'wire' | 'code'

/**
 * Throws the error for `message` ("element 3 is "a", expected a number for FP32"); `context` is what the caller passed
 * along (a tensor name, a callback), so that no function is made per call on the request path.
 */
export type ValueFailure<C> = (context: C, message: string) => never

/** A check failed at element `i` of `values`. */
function bad<C>(values: ArrayLike<unknown>, i: number, expected: string, fail: ValueFailure<C>, context: C): never {
  return fail(context, `element ${i} is ${describe(values[i])}, expected ${expected}`)
}

/**
 * `values` checked as `declared` data and written as `target` data (the same datatype for values from code). The
 * caller has checked that `declared` may be used for `target` at all (numbers for numbers, BOOL and BYTES for
 * themselves) and that `values` holds as many elements as the shape.
 */
export function checkValues<C>(
  values: ArrayLike<unknown>,
  declared: Datatype,
  target: Datatype,
  from: ValueSource,
  fail: ValueFailure<C>,
  context: C,
): TensorData {
  const source = DATATYPES[declared]
  const into = DATATYPES[target]
  const n = values.length
  if (into.kind === 'bytes') {
    const out: Uint8Array[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const value = values[i]
      if (typeof value === 'string') out[i] = encodeUtf8(value)
      else if (value instanceof Uint8Array) out[i] = value
      else bad(values, i, from !== 'code' ? 'a string for BYTES' : 'a string or a Uint8Array for BYTES', fail, context)
    }
    return out
  }
  const out = new into.array!(n)
  if (into.kind === 'bool') {
    for (let i = 0; i < n; i++) {
      const value = values[i]
      if (typeof value === 'boolean') out[i] = value ? 1 : 0
      else if (from === 'code' && (value === 0 || value === 1)) out[i] = value
      else bad(values, i, 'true or false for BOOL', fail, context)
    }
    return out
  }
  if (into.kind === 'float') writeFloats(values, source, into, out as Float32Array, from, fail, context)
  else if (into.big && from === 'code') writeBigIntegers(values, into, out as BigInt64Array, fail, context)
  else writeIntegers(values, source, into, out, from, fail, context)
  return out
}

/**
 * The smallest magnitude that no longer rounds to a finite value of each float datatype: FP16's largest is 65504 and
 * 65520 rounds up to Infinity; FP32's largest is 2^128 - 2^104 and 2^128 - 2^103 rounds up. FP64: only Infinity.
 */
const FLOAT_OVERFLOW: Readonly<Record<string, number>> = {FP16: 65520, FP32: 2 ** 128 - 2 ** 103, FP64: Number.POSITIVE_INFINITY}
/** Each float datatype's largest finite value, for messages. */
const FLOAT_MAX: Readonly<Record<string, number>> = {FP16: 65504, FP32: 3.4028234663852886e38, FP64: Number.MAX_VALUE}

/** The words for a value outside `type`'s range: "a value in the FP32 range [-3.4028234663852886e+38, 3.4028234663852886e+38]". */
function inRange(type: DatatypeInfo): string {
  const [min, max] = type.kind === 'float' ? [-FLOAT_MAX[type.name], FLOAT_MAX[type.name]] : [type.min, type.max]
  return `a value in the ${type.name} range [${min}, ${max}]`
}

function writeFloats<C>(
  values: ArrayLike<unknown>,
  source: DatatypeInfo,
  target: DatatypeInfo,
  out: Float32Array,
  from: ValueSource,
  fail: ValueFailure<C>,
  context: C,
): void {
  const n = values.length
  const sourceIsFloat = source.kind === 'float'
  // Values from code round as the typed array rounds them; a client's must fit (one comparison pair per element).
  const over = from === 'code' ? Number.POSITIVE_INFINITY : FLOAT_OVERFLOW[target.name]
  // The common case (float data into a float input) is this one tight loop; the rest only runs on odd values.
  for (let i = 0; i < n; i++) {
    const value = values[i]
    if (typeof value === 'number' && (sourceIsFloat || Number.isInteger(value))) {
      // NaN compares false; Infinity passes only as a real infinity (gRPC or raw floats, never JSON's 1e400).
      if ((value >= over || value <= -over) && (from === 'json' || Number.isFinite(value))) bad(values, i, inRange(target), fail, context)
      out[i] = value
    } else if (value === null && sourceIsFloat) out[i] = NaN
    else if (typeof value === 'bigint' && from === 'code') out[i] = Number(value)
    else bad(values, i, sourceIsFloat ? `a number for ${source.name}` : `an integer for ${source.name}`, fail, context)
  }
  if (!sourceIsFloat) checkRange(values, source, fail, context)
}

function writeIntegers<C>(
  values: ArrayLike<unknown>,
  source: DatatypeInfo,
  target: DatatypeInfo,
  out: NumericArray,
  from: ValueSource,
  fail: ValueFailure<C>,
  context: C,
): void {
  const n = values.length
  const sourceIsFloat = source.kind === 'float'
  const min = Number(target.min)
  const max = Number(target.max)
  for (let i = 0; i < n; i++) {
    let value = values[i]
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      if (typeof value === 'bigint' && from === 'code') value = Number(value)
      else if (typeof value === 'number' && sourceIsFloat && Number.isFinite(value)) bad(values, i, `a whole number: the model input is ${target.name}`, fail, context)
      else bad(values, i, sourceIsFloat ? `a number for ${source.name}` : `an integer for ${source.name}`, fail, context)
    }
    const number = value as number
    if (number < min || number > max) bad(values, i, inRange(target), fail, context)
    if (target.big) {
      // A JSON number past 2^53 - 1 has already lost digits (9007199254740993 parses as ...992): refuse it, never guess.
      if (!Number.isSafeInteger(number)) {
        // 2^64 (and 2^64 - 1, which parses as 2^64) lands here: whether it was in range, its digits cannot tell.
        const edge = number >= max || number <= min ? ` (${inRange(target).replace('a value in the ', '')})` : ''
        bad(values, i, `an integer within ±(2^53 - 1): larger ${target.name} values lose digits as JSON numbers${edge}; send them as raw bytes (binary extension or gRPC raw_input_contents)`, fail, context)
      }
      ;(out as BigInt64Array)[i] = BigInt(number)
    } else {
      out[i] = number
    }
  }
  // Integer data must fit the datatype it was declared as, whatever it converts to.
  if (!sourceIsFloat && source !== target) checkRange(values, source, fail, context)
}

/** INT64 / UINT64 from code: numbers or bigints, their range checked exactly. */
function writeBigIntegers<C>(values: ArrayLike<unknown>, target: DatatypeInfo, out: BigInt64Array, fail: ValueFailure<C>, context: C): void {
  const min = BigInt(target.min)
  const max = BigInt(target.max)
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (typeof value !== 'bigint' && !(typeof value === 'number' && Number.isInteger(value))) bad(values, i, `an integer for ${target.name}`, fail, context)
    const big = BigInt(value as number | bigint)
    if (big < min || big > max) bad(values, i, inRange(target), fail, context)
    out[i] = big
  }
}

/** Integer data must fit the datatype it was declared as. */
function checkRange<C>(values: ArrayLike<unknown>, source: DatatypeInfo, fail: ValueFailure<C>, context: C): void {
  const min = Number(source.min)
  const max = Number(source.max)
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number
    if (value < min || value > max) bad(values, i, inRange(source), fail, context)
  }
}
