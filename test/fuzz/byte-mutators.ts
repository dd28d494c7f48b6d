/** Byte-level mutations of a request body or protobuf frame: bit flips, truncation, insertion, deletion, repetition. */
import type {Prng} from './prng.js'

/** Bytes that mean something to a JSON or protobuf parser, or are invalid UTF-8. */
const INTERESTING: readonly number[][] = [
  [0x7b], [0x7d], [0x5b], [0x5d], [0x22], [0x2c], [0x3a], [0x5c], [0x00], [0xff], [0xfe], [0xc3], [0xed, 0xa0, 0x80],
  [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x2a, 0x80], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
]

export function mutateBytes(rng: Prng, bytes: Uint8Array): {bytes: Uint8Array; what: string} {
  const n = bytes.length
  const at = () => rng.int(n + 1)
  switch (rng.int(5)) {
    case 0: {
      const out = Uint8Array.from(bytes)
      const flips = rng.range(1, 8)
      for (let i = 0; i < flips && n > 0; i++) out[rng.int(n)] ^= 1 << rng.int(8)
      return {bytes: out, what: `${flips} bit flip(s)`}
    }
    case 1: {
      const cut = at()
      return {bytes: bytes.subarray(0, cut), what: `truncated at ${cut} of ${n}`}
    }
    case 2: {
      const pos = at()
      const insert = rng.chance(0.5) ? Uint8Array.from(rng.pick(INTERESTING)) : Uint8Array.from({length: rng.range(1, 64)}, () => rng.int(256))
      return {bytes: Buffer.concat([bytes.subarray(0, pos), insert, bytes.subarray(pos)]), what: `${insert.length} byte(s) inserted at ${pos}`}
    }
    case 3: {
      const pos = at()
      const len = rng.range(1, 32)
      return {bytes: Buffer.concat([bytes.subarray(0, pos), bytes.subarray(pos + len)]), what: `${len} byte(s) deleted at ${pos}`}
    }
    default: {
      const pos = at()
      const len = rng.range(1, 64)
      const chunk = bytes.subarray(pos, pos + len)
      return {bytes: Buffer.concat([bytes.subarray(0, pos), chunk, chunk, bytes.subarray(pos + chunk.length)]), what: `${chunk.length} byte(s) repeated at ${pos}`}
    }
  }
}
