/**
 * Version ordering for choosing a default version. Three shapes, from highest rank to lowest:
 * - numbers: digit groups joined by `.` or `-` (`2`, `v1.10`, `1.2.3.4`, `2024-01-05`, `1.0.0+build`), compared group by group as
 *   numbers, so dates order as dates and `v1.10` > `v1.9`;
 * - semver with a pre-release, `v?N[.N[.N]]-pre[+build]` (`v1.0.0-rc1`, `1.0.0-alpha.10`): the missing parts are
 *   zero and the `semver` package compares them, so a release ranks above its pre-releases and `alpha.10` > `alpha.9`;
 * - anything else (`latest`, `beta`): compared as strings, below every version of the first two shapes.
 * Numbers and semver versions compare by their number parts first, then a version without a pre-release ranks above
 * one with. Versions that tie (`1`, `1.0`, `v1`) fall back to the string order, so every list sorts one way only.
 */
import {SemVer} from 'semver'

/** Only digit groups (and build metadata): checked first, so a date's `-01-05` is never read as a pre-release. */
const NUMBERS = /^v?(\d+(?:[.-]\d+)*)(?:\+[0-9a-z.-]+)?$/i
/** Version-shaped with a pre-release (the issue's `v?N[.N[.N]][-pre]`); only these go to semver. */
const PRE_RELEASE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?-([0-9a-z.-]+)(?:\+[0-9a-z.-]+)?$/i

interface VersionKey {
  /** Number parts as digit strings (no precision limit); missing trailing parts count as zero. */
  readonly parts: readonly string[]
  /** Present for a pre-release version. */
  readonly semver?: SemVer
}

function keyOf(version: string): VersionKey | undefined {
  const numbers = NUMBERS.exec(version)
  if (numbers) return {parts: numbers[1].split(/[.-]/)}
  const pre = PRE_RELEASE.exec(version)
  if (pre === null) return undefined
  const parts = [pre[1], pre[2] ?? '0', pre[3] ?? '0']
  try {
    // loose: a pre-release such as `rc.01` (a leading zero strict semver refuses) still reads as a version.
    return {parts, semver: new SemVer(`${parts.join('.')}-${pre[4]}`, {loose: true})}
  } catch {
    return undefined // not valid semver after all (say `1.0.0-a..b`, or a number too large): a plain name
  }
}

/** Compares non-negative integers written in decimal, of any length. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '')
  const y = b.replace(/^0+(?=\d)/, '')
  if (x.length !== y.length) return x.length - y.length
  return x < y ? -1 : x > y ? 1 : 0
}

function compareKeys(a: VersionKey, b: VersionKey): number {
  if (a.semver && b.semver) return a.semver.compare(b.semver)
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i++) {
    const d = compareDigits(a.parts[i] ?? '0', b.parts[i] ?? '0')
    if (d !== 0) return d
  }
  // Same numbers: only one of the two can be a pre-release here, and it ranks below the release.
  return (a.semver ? -1 : b.semver ? 1 : 0)
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Negative when `a` ranks below `b`, positive above, zero only for the same string. */
export function compareVersions(a: string, b: string): number {
  const ka = keyOf(a)
  const kb = keyOf(b)
  if (ka && kb) return compareKeys(ka, kb) || compareStrings(a, b)
  if (ka) return 1 // versions rank above free-form names
  if (kb) return -1
  return compareStrings(a, b)
}

/** The default among a model's versions: the unversioned one when present, else the highest. */
export function defaultVersion<T extends {version?: string}>(entries: readonly T[]): T | undefined {
  const unversioned = entries.find((entry) => entry.version === undefined)
  if (unversioned) return unversioned
  return [...entries].sort((x, y) => compareVersions(y.version!, x.version!))[0]
}
