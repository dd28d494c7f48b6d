/**
 * Version ordering for choosing a default: numeric or semver-like versions compare part by part as numbers
 * (`v10.0.0` > `v2.0.0`); anything else compares as strings.
 */
const NUMERIC = /^v?(\d+(?:\.\d+)*)(?:[-+].*)?$/i

function numericParts(version: string): number[] | undefined {
  const match = NUMERIC.exec(version)
  return match ? match[1].split('.').map(Number) : undefined
}

export function compareVersions(a: string, b: string): number {
  const pa = numericParts(a)
  const pb = numericParts(b)
  if (pa && pb) {
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
      const d = (pa[i] ?? 0) - (pb[i] ?? 0)
      if (d !== 0) return d
    }
    return a < b ? -1 : a > b ? 1 : 0
  }
  if (pa && !pb) return 1 // versions that look like numbers rank above free-form names
  if (!pa && pb) return -1
  return a < b ? -1 : a > b ? 1 : 0
}

/** The default among a model's versions: the unversioned one when present, else the highest. */
export function defaultVersion<T extends {version?: string}>(entries: readonly T[]): T | undefined {
  const unversioned = entries.find((entry) => entry.version === undefined)
  if (unversioned) return unversioned
  return [...entries].sort((x, y) => compareVersions(y.version!, x.version!))[0]
}
