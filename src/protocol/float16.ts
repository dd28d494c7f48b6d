/** IEEE 754 half precision <-> numbers. FP16 tensors are held as Float32Array values and packed only at the edges. */

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

function toHalf(value: number): number {
  f32[0] = value
  const x = u32[0]
  const sign = (x >>> 16) & 0x8000
  const exponent = (x >>> 23) & 0xff
  let mantissa = x & 0x7fffff
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0) // Inf / NaN
  let e = exponent - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00 // overflow -> Inf
  if (e <= 0) {
    if (e < -10) return sign // underflow -> 0
    mantissa |= 0x800000
    const shift = 14 - e
    let half = mantissa >> shift
    if ((mantissa >> (shift - 1)) & 1) half += 1 // round half up
    return sign | half
  }
  let half = sign | (e << 10) | (mantissa >> 13)
  if (mantissa & 0x1000) half += 1 // round to nearest; a carry correctly bumps the exponent
  return half
}

function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1
  const exponent = (h >> 10) & 0x1f
  const mantissa = h & 0x3ff
  if (exponent === 0) return sign * mantissa * 2 ** -24
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

export function numbersToFloat16Bits(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i])
  return out
}

export function float16BitsToNumbers(bits: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bits.length)
  for (let i = 0; i < bits.length; i++) out[i] = fromHalf(bits[i])
  return out
}
