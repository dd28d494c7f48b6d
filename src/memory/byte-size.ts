/**
 * Byte sizes as people write them in settings (`memory_budget`, a model's `memory`): a number of bytes, or a string
 * such as "512MiB", "1.5 GiB", "64 KiB", "1024".
 *
 * Units follow Kubernetes and IEC: `KiB`/`MiB`/`GiB`/`TiB`/`PiB` (and Kubernetes' `Ki`/`Mi`/`Gi`/`Ti`/`Pi`) are
 * powers of 1024; `KB`/`MB`/`GB`/`TB`/`PB` are powers of 1000, as Kubernetes' `M` is 10^6. `B` (or nothing) is bytes.
 * Case does not matter and spaces are allowed around the number and the unit.
 *
 * A bare `K`/`M`/`G`/`T`/`P` is refused on purpose: Docker and the JVM read `512m` as MiB, Kubernetes reads `512M` as
 * 10^6 bytes (and `512m` as milli-units); case-insensitive, no reading is safe, so the message asks for `MiB` or `MB`.
 * A fractional result is rounded up to a whole byte, as Kubernetes' Quantity.Value() does.
 */
import {z} from 'zod'

const KIB = 1024
const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: KIB,
  mib: KIB ** 2,
  gib: KIB ** 3,
  tib: KIB ** 4,
  pib: KIB ** 5,
  ki: KIB,
  mi: KIB ** 2,
  gi: KIB ** 3,
  ti: KIB ** 4,
  pi: KIB ** 5,
}

/** Units refused as ambiguous, with what they could mean. */
const AMBIGUOUS = new Set(['k', 'm', 'g', 't', 'p'])

const PATTERN = /^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$/i

/** What parseByteSize answers: the bytes, or why the input is not a byte size. */
export type ByteSizeResult = {readonly ok: true; readonly bytes: number} | {readonly ok: false; readonly problem: string}

/** What a valid input looks like, for messages. */
export const BYTE_SIZE_EXPECTED = 'a number of bytes or a string like "512MiB" (KiB/MiB/GiB are 1024-based, KB/MB/GB 1000-based)'

/** Parses a number of bytes or a size string (see the file's comment); never throws. */
export function parseByteSize(value: unknown): ByteSizeResult {
  let amount: number
  let factor = 1
  if (typeof value === 'number') {
    amount = value
  } else if (typeof value === 'string') {
    const match = PATTERN.exec(value)
    if (match === null) return {ok: false, problem: `expected ${BYTE_SIZE_EXPECTED}`}
    const unit = match[2].toLowerCase()
    if (AMBIGUOUS.has(unit)) {
      const upper = unit.toUpperCase()
      return {ok: false, problem: `"${match[2]}" is ambiguous (Docker means ${upper}iB, Kubernetes ${upper}B): write "${match[1]}${upper}iB" or "${match[1]}${upper}B"`}
    }
    if (!(unit in UNITS)) return {ok: false, problem: `unknown unit "${match[2]}": expected ${BYTE_SIZE_EXPECTED}`}
    amount = Number(match[1])
    factor = UNITS[unit]
  } else {
    return {ok: false, problem: `expected ${BYTE_SIZE_EXPECTED}`}
  }
  if (!Number.isFinite(amount) || amount < 0) return {ok: false, problem: `expected ${BYTE_SIZE_EXPECTED}`}
  const bytes = Math.ceil(amount * factor)
  if (bytes > Number.MAX_SAFE_INTEGER) return {ok: false, problem: `too large: at most ${Number.MAX_SAFE_INTEGER} bytes (8 PiB)`}
  return {ok: true, bytes}
}

/**
 * A zod schema for a byte size, in the style of coerce.ts: takes a number or a string, gives whole bytes, at least
 * `min`. The message says what was expected; formatIssue (util/zod-issues.ts) adds what was found.
 */
export function byteSize(min = 0) {
  return z.unknown().transform((value, context): number => {
    const parsed = parseByteSize(value)
    let problem = parsed.ok ? undefined : parsed.problem
    if (parsed.ok && parsed.bytes < min) problem = `expected at least ${min} bytes (${formatBytes(min)})`
    if (problem !== undefined) {
      context.addIssue({code: 'custom', message: problem, input: value})
      return z.NEVER
    }
    return (parsed as {bytes: number}).bytes
  })
}

const BINARY_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/**
 * A byte count for people, in 1024-based units with at most one decimal: "512 B", "64 KiB", "12.3 MiB", "1.5 GiB".
 * Negative counts (a delta) keep their sign. parseByteSize reads the result back (to within the rounding).
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`
  const sign = bytes < 0 ? '-' : ''
  const value = Math.abs(bytes)
  if (value < KIB) return `${sign}${Math.round(value)} B`
  let unit = Math.min(BINARY_UNITS.length, Math.floor(Math.log(value) / Math.log(KIB)))
  let shown = Math.round((value / KIB ** unit) * 10) / 10
  // Rounding can carry into the next unit: 1023.96 KiB shows as "1 MiB", not "1024 KiB".
  if (shown >= KIB && unit < BINARY_UNITS.length) {
    unit++
    shown = Math.round((value / KIB ** unit) * 10) / 10
  }
  const text = Number.isInteger(shown) ? String(shown) : shown.toFixed(1)
  return `${sign}${text} ${BINARY_UNITS[unit - 1]}`
}
