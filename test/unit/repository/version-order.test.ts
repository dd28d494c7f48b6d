import {describe, expect, it} from 'vitest'
import {compareVersions, defaultVersion} from '../../../src/repository/version-order.js'

describe('compareVersions', () => {
  it('compares semver-like versions as numbers', () => {
    expect(compareVersions('v10.0.0', 'v2.0.0')).toBeGreaterThan(0)
    expect(compareVersions('1.2.10', '1.2.9')).toBeGreaterThan(0)
    expect(compareVersions('2', '10')).toBeLessThan(0)
  })
  it('falls back to strings', () => {
    expect(compareVersions('beta', 'alpha')).toBeGreaterThan(0)
    expect(compareVersions('v1', 'latest')).toBeGreaterThan(0)
  })
})

describe('defaultVersion', () => {
  it('prefers the unversioned entry', () => {
    expect(defaultVersion([{version: 'v3'}, {}, {version: 'v1'}])).toEqual({})
  })
  it('else takes the highest', () => {
    expect(defaultVersion([{version: 'v2.0.0'}, {version: 'v10.0.0'}, {version: 'v9.1.0'}])?.version).toBe('v10.0.0')
  })
})
