/**
 * A UBJSON (draft 12) decoder, enough for XGBoost's `model.ubj`: big-endian scalars, strings, arrays and objects,
 * including optimized containers (`$` type, `#` count), whose numeric arrays come back as typed arrays.
 */

type Value = null | boolean | number | string | Value[] | ArrayLike<number> | {[key: string]: Value}

const TYPED: Readonly<Record<string, {size: number; read: (view: DataView, offset: number) => number; array?: new (n: number) => {[i: number]: number}}>> = {
  i: {size: 1, read: (v, o) => v.getInt8(o), array: Int8Array},
  U: {size: 1, read: (v, o) => v.getUint8(o), array: Uint8Array},
  I: {size: 2, read: (v, o) => v.getInt16(o), array: Int16Array},
  l: {size: 4, read: (v, o) => v.getInt32(o), array: Int32Array},
  L: {size: 8, read: (v, o) => Number(v.getBigInt64(o)), array: Float64Array},
  d: {size: 4, read: (v, o) => v.getFloat32(o), array: Float32Array},
  D: {size: 8, read: (v, o) => v.getFloat64(o), array: Float64Array},
}

export function decodeUbjson(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = new TextDecoder()
  let offset = 0

  const fail = (message: string): never => {
    throw new Error(`not valid UBJSON at byte ${offset}: ${message}`)
  }
  const need = (n: number) => {
    if (offset + n > bytes.byteLength) fail('unexpected end of data')
  }
  const marker = (): string => {
    need(1)
    return String.fromCharCode(bytes[offset++])
  }
  const number = (type: string): number => {
    const spec = TYPED[type] ?? fail(`"${type}" is not a number type`)
    need(spec.size)
    const value = spec.read(view, offset)
    offset += spec.size
    return value
  }
  /**
   * A length or a container's `#` count. It can never exceed the bytes left: every string byte and every container
   * element (even a `$Z` null) is taken to need one, so a 20-byte file cannot announce 2^53 elements that take no
   * bytes and keep the decoder adding nulls until memory runs out.
   */
  const count = (): number => {
    const n = number(marker())
    if (!Number.isInteger(n) || n < 0) fail(`bad length ${n}`)
    if (n > bytes.byteLength - offset) fail(`length ${n} is more than the ${bytes.byteLength - offset} bytes left`)
    return n
  }
  const string = (): string => {
    const n = count()
    need(n)
    const s = text.decode(bytes.subarray(offset, offset + n))
    offset += n
    return s
  }
  /** `$type` and `#count` after an opening bracket, when present. */
  const header = (): {type?: string; n?: number} => {
    let type: string | undefined
    if (bytes[offset] === 0x24 /* $ */) {
      offset++
      type = marker()
    }
    if (bytes[offset] === 0x23 /* # */) {
      offset++
      return {type, n: count()}
    }
    if (type !== undefined) fail('"$" without "#"')
    return {}
  }
  const value = (type: string): Value => {
    switch (type) {
      case 'Z':
        return null
      case 'T':
        return true
      case 'F':
        return false
      case 'S':
      case 'H':
        return type === 'H' ? Number(string()) : string()
      case 'C':
        return String.fromCharCode(number('U'))
      case '[':
        return array()
      case '{':
        return object()
      default:
        return number(type)
    }
  }
  const array = (): Value => {
    const {type, n} = header()
    if (n !== undefined && type !== undefined && TYPED[type]?.array) {
      const spec = TYPED[type]
      need(n * spec.size)
      const out = new spec.array!(n)
      for (let i = 0; i < n; i++) {
        out[i] = spec.read(view, offset)
        offset += spec.size
      }
      return out as ArrayLike<number>
    }
    const out: Value[] = []
    if (n !== undefined) {
      for (let i = 0; i < n; i++) out.push(value(type ?? marker()))
      return out
    }
    for (;;) {
      let m = marker()
      while (m === 'N') m = marker()
      if (m === ']') return out
      out.push(value(m))
    }
  }
  const object = (): Value => {
    const {type, n} = header()
    const out: {[key: string]: Value} = {}
    if (n !== undefined) {
      for (let i = 0; i < n; i++) out[string()] = value(type ?? marker())
      return out
    }
    for (;;) {
      while (bytes[offset] === 0x4e /* N */) offset++
      if (bytes[offset] === 0x7d /* } */) {
        offset++
        return out
      }
      const key = string()
      out[key] = value(marker())
    }
  }

  const result = value(marker())
  if (offset !== bytes.byteLength) fail(`${bytes.byteLength - offset} bytes after the end of the value`)
  return result
}
