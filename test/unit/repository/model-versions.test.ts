import {describe, expect, it} from 'vitest'
import type {ModelSpec} from '../../../src/repository/discover.js'
import {ModelVersions} from '../../../src/repository/model-versions.js'

const spec = (version: string | undefined, file = `/repo/${version ?? 'plain'}/model-settings.json`): ModelSpec => ({
  ok: false,
  name: 'm',
  version,
  file,
  error: 'not read in this test',
})

describe('ModelVersions', () => {
  it('answers a request without a version with the highest version, and names the known ones when one is missing', () => {
    const versions = new ModelVersions('m')
    for (const version of ['v1.0.0', 'v1.1.0-rc1', 'v1.1.0', 'v1.2.0-rc1']) versions.register(spec(version))
    expect(versions.find().version).toBe('v1.2.0-rc1')
    expect(versions.find('').version).toBe('v1.2.0-rc1')
    expect(versions.find('v1.1.0').version).toBe('v1.1.0')
    expect(versions.versions()).toEqual(['v1.0.0', 'v1.1.0-rc1', 'v1.1.0', 'v1.2.0-rc1'])
    expect(() => versions.find('v9')).toThrow(
      expect.objectContaining({code: 'MODEL_VERSION_NOT_FOUND', message: 'model "m" has no version "v9" (versions: v1.0.0, v1.1.0-rc1, v1.1.0, v1.2.0-rc1)'}),
    )
    versions.remove(versions.get('v1.2.0-rc1')!)
    expect(versions.find().version).toBe('v1.1.0')
  })

  it('prefers the unversioned entry as the default', () => {
    const versions = new ModelVersions('m')
    versions.register(spec('v2'))
    versions.register(spec(undefined))
    expect(versions.find().version).toBeUndefined()
    expect(versions.versions()).toEqual(['v2'])
  })

  it('keeps one entry per version: a second file for it is ignored when asked (start-up), else takes over', () => {
    const versions = new ModelVersions('m')
    const first = versions.register(spec('v1', '/repo/a/model-settings.json'))
    const ignored: string[] = []
    expect(versions.register(spec('v1', '/repo/b/model-settings.json'), (existing) => ignored.push(existing.spec.file))).toBe(first)
    expect(ignored).toEqual(['/repo/a/model-settings.json'])
    expect(first.spec.file).toBe('/repo/a/model-settings.json')
    expect(versions.register(spec('v1', '/repo/b/model-settings.json'))).toBe(first)
    expect(first.spec.file).toBe('/repo/b/model-settings.json')
    expect(versions.entries).toHaveLength(1)
  })

  it('tells the state listener of each new version', () => {
    const told: string[] = []
    const versions = new ModelVersions('m', (entry) => told.push(`${entry.version}:${entry.state}`))
    versions.register(spec('v1')).set('LOADING')
    expect(told).toEqual(['v1:UNKNOWN', 'v1:LOADING'])
    expect(versions.remove(versions.get('v1')!)).toBe(true)
    expect(versions.entries).toEqual([])
  })
})
