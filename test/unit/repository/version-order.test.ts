import {describe, expect, it} from 'vitest'
import {compareVersions, defaultVersion} from '../../../src/repository/version-order.js'

/** Lowest first, as a user would rank them. */
const sorted = (versions: readonly string[]): string[] => [...versions].sort(compareVersions)

describe('compareVersions', () => {
  it('compares numbered versions part by part as numbers', () => {
    expect(sorted(['v10.0.0', 'v2.0.0', 'v9.1.0'])).toEqual(['v2.0.0', 'v9.1.0', 'v10.0.0'])
    expect(sorted(['1.2.10', '1.2.9'])).toEqual(['1.2.9', '1.2.10'])
    expect(sorted(['10', '2'])).toEqual(['2', '10'])
    expect(sorted(['v1.10', 'v2', 'v1.9'])).toEqual(['v1.9', 'v1.10', 'v2'])
    expect(sorted(['1.2.3.10', '1.2.3.9', '1.2.4'])).toEqual(['1.2.3.9', '1.2.3.10', '1.2.4'])
  })

  it('ranks a release above its release candidates', () => {
    expect(sorted(['v1.0.0', 'v1.0.0-rc1', 'v1.0.0-rc2'])).toEqual(['v1.0.0-rc1', 'v1.0.0-rc2', 'v1.0.0'])
    expect(compareVersions('v1.0.0-rc1', 'v0.9.0')).toBeGreaterThan(0)
    expect(compareVersions('v1.1.0-beta', 'v1.0.0')).toBeGreaterThan(0)
  })

  it('orders pre-releases as semver does: numeric identifiers as numbers, alpha < beta < rc', () => {
    expect(sorted(['1.0.0-alpha.10', '1.0.0-alpha.9', '1.0.0-alpha.2'])).toEqual(['1.0.0-alpha.2', '1.0.0-alpha.9', '1.0.0-alpha.10'])
    expect(sorted(['1.0.0-rc.1', '1.0.0-alpha', '1.0.0-beta.2', '1.0.0-alpha.1'])).toEqual(['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-rc.1'])
    // Short forms are version-shaped too: v2-rc1 is 2.0.0-rc1.
    expect(sorted(['v2', 'v2-rc1', 'v1.9'])).toEqual(['v1.9', 'v2-rc1', 'v2'])
    // A leading zero strict semver refuses still reads as a pre-release.
    expect(sorted(['1.0.0', '1.0.0-rc.02', '1.0.0-rc.01'])).toEqual(['1.0.0-rc.01', '1.0.0-rc.02', '1.0.0'])
  })

  it('keeps dates apart and in order, whatever the separator', () => {
    expect(sorted(['2024-02-01', '2024-01-05', '2023-12-31'])).toEqual(['2023-12-31', '2024-01-05', '2024-02-01'])
    expect(compareVersions('2024-01-05', '2024-02-01')).toBeLessThan(0)
    expect(sorted(['2024-1-10', '2024-1-9'])).toEqual(['2024-1-9', '2024-1-10'])
    expect(sorted(['20240201', '20240105'])).toEqual(['20240105', '20240201'])
  })

  it('ranks versions above free-form names, and names as strings', () => {
    expect(sorted(['beta', 'alpha'])).toEqual(['alpha', 'beta'])
    expect(compareVersions('v1', 'latest')).toBeGreaterThan(0)
    expect(compareVersions('v1.0.0-rc1', 'latest')).toBeGreaterThan(0)
    expect(compareVersions('1.0.0-a..b', '1.0.0-rc1')).toBeLessThan(0) // not valid semver: a name
  })

  it('compares numbers of any length exactly', () => {
    // Both first parts are the same double; as digits the first is higher, whatever the second parts say.
    expect(compareVersions('18014398509481985', '18014398509481984.9')).toBeGreaterThan(0)
    expect(compareVersions('007', '7')).not.toBe(0) // equal numbers, still one order
  })

  it('is a total order: any input order sorts the same way, and only equal strings compare equal', () => {
    const mixed = ['latest', 'v1', '1', '1.0.0', 'v1.0.0-rc1', '2024-01-05', '1.0.0-alpha.10', 'beta', 'v2-rc1', '1.2.3.4', 'V1.0.0', '1.0.0+build']
    const reference = sorted(mixed)
    // A few rotations and the reverse: sort must not depend on where it starts.
    for (const start of [mixed.slice(3).concat(mixed.slice(0, 3)), [...mixed].reverse(), mixed.slice(7).concat(mixed.slice(0, 7))]) {
      expect(sorted(start)).toEqual(reference)
    }
    for (const a of mixed) {
      for (const b of mixed) {
        expect(Math.sign(compareVersions(a, b)) + Math.sign(compareVersions(b, a))).toBe(0)
        if (a !== b) expect(compareVersions(a, b)).not.toBe(0)
        for (const c of mixed) {
          if (compareVersions(a, b) < 0 && compareVersions(b, c) < 0) expect(compareVersions(a, c)).toBeLessThan(0)
        }
      }
    }
  })
})

describe('defaultVersion', () => {
  it('prefers the unversioned entry', () => {
    expect(defaultVersion([{version: 'v3'}, {}, {version: 'v1'}])).toEqual({})
  })

  it('else takes the highest: the release over its candidate, the later date, the higher alpha', () => {
    expect(defaultVersion([{version: 'v2.0.0'}, {version: 'v10.0.0'}, {version: 'v9.1.0'}])?.version).toBe('v10.0.0')
    expect(defaultVersion([{version: 'v1.0.0-rc1'}, {version: 'v1.0.0'}])?.version).toBe('v1.0.0')
    expect(defaultVersion([{version: 'v1.0.0'}, {version: 'v1.0.0-rc1'}])?.version).toBe('v1.0.0')
    expect(defaultVersion([{version: '2024-02-01'}, {version: '2024-01-05'}])?.version).toBe('2024-02-01')
    expect(defaultVersion([{version: '1.0.0-alpha.9'}, {version: '1.0.0-alpha.10'}])?.version).toBe('1.0.0-alpha.10')
    expect(defaultVersion([{version: 'latest'}, {version: 'v1'}])?.version).toBe('v1')
  })

  it('has no default for no versions', () => {
    expect(defaultVersion([])).toBeUndefined()
  })
})
