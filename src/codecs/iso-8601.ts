/**
 * ISO-8601 date-times, read strictly (what Python's datetime.fromisoformat reads): a date, optionally a time with
 * seconds and a fraction, optionally an offset (Z, +01:00, +0100). A time without an offset is taken as UTC, so the
 * result does not depend on the server's time zone. Dates hold milliseconds: finer fractions are truncated.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** The Date `text` names, or undefined when it is not an ISO-8601 date-time (or names no real day or time). */
export function parseIso8601(text: string): Date | undefined {
  const m = ISO.exec(text)
  if (m === null) return undefined
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number)
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'))
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return undefined
  let offsetMinutes = 0
  const zone = m[8]
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '')
    const [h, min] = [Number(digits.slice(0, 2)), Number(digits.slice(2) || '0')]
    if (h > 23 || min > 59) return undefined
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (h * 60 + min)
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000)
  // Date.UTC maps years 0-99 to 1900-1999.
  if (year < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900)
  return date
}
