/**
 * Discovery of model-settings.json files: a folder that cannot be read is skipped and logged with its path and cause.
 * The unreadable folder is real: one whose path is longer than the system allows (PATH_MAX, 4096 bytes on Linux), so
 * reading it fails with ENAMETOOLONG even for root, for whom a chmod 000 folder is still readable.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {discoverModels} from '../../../src/repository/discover.js'
import {ModelRegistry} from '../../../src/repository/model-registry.js'
import {observed, repo, testRuntime} from './test-runtime.js'

const LEVEL = 'd'.repeat(200)
const deepRoots: string[] = []
// fs.rmSync cannot remove a tree deeper than PATH_MAX; rm -rf walks it one folder at a time.
afterEach(() => {
  for (const root of deepRoots.splice(0)) execFileSync('rm', ['-rf', path.join(root, 'deep')])
})

/** A repository with model `a` and, 22 folders of 200 characters down, model `deep`: too deep to be read. */
function repositoryWithTooDeepFolder(): string {
  const root = repo({a: {name: 'a'}})
  mkdirSync(path.join(root, 'deep'))
  deepRoots.push(root)
  // Relative steps in a child process of its own: each mkdir and chdir names one short folder, never the whole path.
  const script = `const fs = require('node:fs'); for (let i = 0; i < 22; i++) { fs.mkdirSync('${LEVEL}'); process.chdir('${LEVEL}') }
    fs.writeFileSync('model-settings.json', '{"name": "deep"}')`
  execFileSync(process.execPath, ['-e', script], {cwd: path.join(root, 'deep')})
  return root
}

describe('discoverModels', () => {
  it('logs a folder it cannot read, with the path and the cause, and still finds the other models', async () => {
    const root = repositoryWithTooDeepFolder()
    const watch = observed()
    const specs = await discoverModels(root, {}, watch.logger)
    expect(specs.map((spec) => spec.name)).toEqual(['a'])
    const warnings = watch.logged.filter((line) => line.level === 'warn')
    expect(warnings).toHaveLength(1)
    const folder = String(warnings[0].fields?.path)
    expect(folder.startsWith(path.join(root, 'deep', LEVEL))).toBe(true)
    expect(folder.length).toBeGreaterThanOrEqual(4096)
    expect(warnings[0].fields).toMatchObject({event: 'folder_unreadable', reason: expect.stringMatching(/^ENAMETOOLONG/)})
    expect(warnings[0].message).toContain(`cannot read folder ${folder}; models below it are not served: ENAMETOOLONG`)
  })

  it('reads a repository without such folders silently', async () => {
    const root = repo({a: {name: 'a'}, 'b/c': {name: 'c'}})
    writeFileSync(path.join(root, 'notes.txt'), 'not a folder')
    const watch = observed()
    expect((await discoverModels(root, {}, watch.logger)).map((spec) => spec.name)).toEqual(['a', 'c'])
    expect(watch.logged).toEqual([])
  })

  it('logs a repository root that does not exist', async () => {
    const root = path.join(repo({}), 'missing')
    const watch = observed()
    expect(await discoverModels(root, {}, watch.logger)).toEqual([])
    expect(watch.logged).toMatchObject([{level: 'warn', fields: {path: root, reason: expect.stringMatching(/^ENOENT/)}}])
  })

  it('the registry passes its logger: the server log names the folder', async () => {
    const root = repositoryWithTooDeepFolder()
    const watch = observed()
    const registry = new ModelRegistry({root, factory: testRuntime({loads: 0, unloads: 0}), logger: watch.logger, strictReadiness: false})
    await registry.start(false)
    expect(registry.index().map((item) => item.name)).toEqual(['a'])
    expect(watch.logged.filter((line) => line.fields?.event === 'folder_unreadable')).toHaveLength(1)
  })
})
