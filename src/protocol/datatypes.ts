/**
 * The V2 datatype table: one row per datatype with its element kind, size and typed array. Everything that converts
 * tensors (validation, runtimes, the binary extension, gRPC) reads this table rather than switching on names.
 */

export type Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES'

export type ElementKind = 'bool' | 'int' | 'uint' | 'float' | 'bytes'

export type NumericArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array

type ArrayCtor = {new (length: number): NumericArray}

export interface DatatypeInfo {
  readonly name: Datatype
  readonly kind: ElementKind
  /** Bytes per element; 0 for BYTES (variable). */
  readonly size: number
  /** Smallest and largest representable value, for integer kinds. */
  readonly min: number | bigint
  readonly max: number | bigint
  /** The typed array that holds this datatype in memory (BOOL: Uint8Array of 0/1; FP16: Float32Array of the values). */
  readonly array?: ArrayCtor
  /** True when elements are held as bigint (INT64 / UINT64). */
  readonly big: boolean
}

const row = (
  name: Datatype,
  kind: ElementKind,
  size: number,
  array: ArrayCtor | undefined,
  min: number | bigint = 0,
  max: number | bigint = 0,
): DatatypeInfo => ({name, kind, size, array, min, max, big: typeof min === 'bigint'})

export const DATATYPES: Readonly<Record<Datatype, DatatypeInfo>> = Object.freeze({
  BOOL: row('BOOL', 'bool', 1, Uint8Array, 0, 1),
  UINT8: row('UINT8', 'uint', 1, Uint8Array, 0, 0xff),
  UINT16: row('UINT16', 'uint', 2, Uint16Array, 0, 0xffff),
  UINT32: row('UINT32', 'uint', 4, Uint32Array, 0, 0xffffffff),
  UINT64: row('UINT64', 'uint', 8, BigUint64Array, 0n, 0xffffffffffffffffn),
  INT8: row('INT8', 'int', 1, Int8Array, -0x80, 0x7f),
  INT16: row('INT16', 'int', 2, Int16Array, -0x8000, 0x7fff),
  INT32: row('INT32', 'int', 4, Int32Array, -0x80000000, 0x7fffffff),
  INT64: row('INT64', 'int', 8, BigInt64Array, -0x8000000000000000n, 0x7fffffffffffffffn),
  FP16: row('FP16', 'float', 2, Float32Array),
  FP32: row('FP32', 'float', 4, Float32Array),
  FP64: row('FP64', 'float', 8, Float64Array),
  BYTES: row('BYTES', 'bytes', 0, undefined),
})

export const DATATYPE_NAMES = Object.keys(DATATYPES) as Datatype[]

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && Object.hasOwn(DATATYPES, value)
}
