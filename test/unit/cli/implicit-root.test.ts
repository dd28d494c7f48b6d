import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {checkImplicitRoot, hasModelsNear, repositoriesBelow} from '../../../src/cli/implicit-root.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

/** A folder with empty files at the given relative paths. */
function folderWith(...files: string[]): string {
  const dir = tempFolder('mls-implicit-')
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), {recursive: true})
    writeFileSync(path.join(dir, file), '{}')
  }
  return dir
}

describe('mls start with no DIR: is the current folder a model repository?', () => {
  it('yes with a model-settings.json up to three folders down (models/<name>/<version>/), outside code folders', () => {
    expect(hasModelsNear(folderWith('model-settings.json'))).toBe(true)
    expect(hasModelsNear(folderWith('models/m/v1/model-settings.json'))).toBe(true)
    expect(hasModelsNear(folderWith('a/models/m/v1/model-settings.json'))).toBe(false)
    for (const skipped of ['node_modules', '.git', 'test', 'bench', 'examples', 'templates']) {
      expect(hasModelsNear(folderWith(`${skipped}/m/model-settings.json`)), skipped).toBe(false)
    }
  })

  it('refuses (exit 2) only when nothing named the repository', () => {
    const cwd = folderWith('test/m/model-settings.json', 'examples/demo/settings.json', 'examples/demo/models/m/model-settings.json')
    const refuse = () => checkImplicitRoot({repositoryRoot: cwd, cwd, env: {}})
    expect(refuse).toThrow(/does not look like a model repository/)
    expect(refuse).toThrow(/\n {2}mls start examples\/demo\n/)
    try {
      refuse()
    } catch (error) {
      expect(error).toMatchObject({exitCode: 2})
    }
    expect(() => checkImplicitRoot({root: '.', repositoryRoot: cwd, cwd, env: {}})).not.toThrow()
    expect(() => checkImplicitRoot({settingsFile: path.join(cwd, 'settings.json'), repositoryRoot: cwd, cwd, env: {}})).not.toThrow()
    expect(() => checkImplicitRoot({repositoryRoot: path.join(cwd, 'elsewhere'), cwd, env: {}})).not.toThrow()
    expect(() => checkImplicitRoot({repositoryRoot: cwd, cwd, env: {MLS_MODEL_NAME: 'm'}})).not.toThrow()
    expect(repositoriesBelow(cwd)).toEqual(['examples/demo'])
  })
})
