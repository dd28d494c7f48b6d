import {mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {confineUri} from '../../../src/repository/confine-uri.js'
import {readModelSpec, type ModelSpec} from '../../../src/repository/discover.js'
import {isInsideReal} from '../../../src/util/inside-root.js'

const parent = mkdtempSync(path.join(tmpdir(), 'mls-confine-'))
afterAll(() => rmSync(parent, {recursive: true, force: true}))
const root = path.join(parent, 'repo')
const outside = path.join(parent, 'outside')
mkdirSync(path.join(root, 'models'), {recursive: true})
mkdirSync(outside)
writeFileSync(path.join(outside, 'model.json'), '{}')
writeFileSync(path.join(root, 'models', 'model.json'), '{}')
symlinkSync(outside, path.join(root, 'models', 'link-out'))
symlinkSync(path.join(root, 'models'), path.join(root, 'link-in'))

function spec(name: string, uri: string): ModelSpec {
  const folder = path.join(root, 'models', name)
  mkdirSync(folder, {recursive: true})
  writeFileSync(path.join(folder, 'model-settings.json'), JSON.stringify({name, implementation: 'xgboost', parameters: {uri}}))
  return readModelSpec(path.join(folder, 'model-settings.json'))
}

describe('confineUri', () => {
  it('keeps a uri inside the root, through links that stay inside, and a model without one', () => {
    for (const s of [spec('plain', '../model.json'), spec('linked', '../../link-in/model.json'), spec('folder', '.'), spec('missing', './nothing.json')]) {
      expect(confineUri(s, root), s.name).toBe(s)
    }
  })

  it('refuses a uri outside the root, or one that leaves it through a symbolic link, saying how to allow it', () => {
    const up = confineUri(spec('up', '../../../outside/model.json'), root)
    expect(up).toMatchObject({ok: false, name: 'up'})
    expect(up.ok ? '' : up.error).toBe(
      `${path.join(root, 'models', 'up', 'model-settings.json')}: parameters.uri: ${path.relative(realpathSync(root), realpathSync(path.join(outside, 'model.json')))} is outside the repository root; move the model inside the repository, or set allow_external_uris: true in settings.json`,
    )
    const linked = confineUri(spec('via-link', '../link-out/model.json'), root)
    expect(linked.ok ? '' : linked.error).toMatch(/parameters\.uri: models\/link-out\/model\.json \(which is \.\.\/.*outside\/model\.json\) is outside the repository root;/)
    // Relative to the root: the error is a reason clients read, and never names the root's absolute path.
    expect(linked.ok ? '' : linked.error.split(': parameters.uri')[1]).not.toContain(root)
    // A file that does not exist yet behind a link that leaves the root: still outside.
    expect(confineUri(spec('later', '../link-out/later.json'), root).ok).toBe(false)
    expect(confineUri(spec('absolute', '/etc/hostname'), root).ok).toBe(false)
  })

  it('compares real paths, so a folder named like the root is not inside it', () => {
    expect(isInsideReal(`${root}-other/x`, root)).toBe(false)
    expect(isInsideReal(root, root)).toBe(true)
  })
})
