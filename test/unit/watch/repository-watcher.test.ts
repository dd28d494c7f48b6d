/**
 * The watcher on real files (fs.watch on a temporary folder) over a registry with a small test runtime that reads its
 * model file: versions gained and lost, duplicates, unloaded models left alone, a uri elsewhere in the root, folders
 * moved in and out whole, saves by rename, failed reloads, and that nothing else is reloaded.
 */
import {mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {silentLogger} from '../../../src/logger.js'
import {ModelRegistry} from '../../../src/repository/model-registry.js'
import type {Runtime} from '../../../src/runtimes/runtime.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'
import {watchRepository, type RepositoryWatcher, type WatchEvent} from '../../../src/watch/repository-watcher.js'

/** Loads per "name version", and what each instance read from its model file. */
type Loads = Map<string, number>

/** A runtime that reads `model.bin` (or its uri) when it loads: "fail…" makes the load throw; predict returns the text's length. */
function fileRuntime(loads: Loads) {
  return (settings: ModelSettings): Runtime => {
    let content = ''
    return {
      async load() {
        content = readFileSync(settings.uri ?? path.join(settings.folder, 'model.bin'), 'utf8')
        if (content.startsWith('fail')) throw new Error(`bad model file: ${content}`)
        const key = `${settings.name} ${settings.version ?? ''}`.trim()
        loads.set(key, (loads.get(key) ?? 0) + 1)
      },
      metadata: () => ({platform: 'test', inputs: [], outputs: []}),
      async predict() {
        return {outputs: [{name: 'length', datatype: 'INT32', shape: [1], data: new Int32Array([content.length])}]}
      },
      async unload() {},
    }
  }
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function watched(files: Record<string, string | object>) {
  const root = mkdtempSync(path.join(tmpdir(), 'mls-watch-'))
  cleanups.push(() => rmSync(root, {recursive: true, force: true}))
  const write = (relative: string, content: string | object) => {
    mkdirSync(path.dirname(path.join(root, relative)), {recursive: true})
    writeFileSync(path.join(root, relative), typeof content === 'string' ? content : JSON.stringify(content))
  }
  for (const [relative, content] of Object.entries(files)) write(relative, content)
  const loads: Loads = new Map()
  const registry = new ModelRegistry({root, factory: fileRuntime(loads), logger: silentLogger, strictReadiness: false})
  const loaded = registry.start(true)
  const watcher: RepositoryWatcher = watchRepository({root, registry, logger: silentLogger, after: loaded, debounceMs: 50})
  cleanups.push(() => registry.close())
  cleanups.push(() => watcher.close())
  const events: WatchEvent[] = []
  watcher.onEvent((event) => events.push(event))
  await loaded
  await watcher.ready
  const state = (name: string, version?: string) => registry.get(name, version)?.state
  const until = (check: () => void) => vi.waitFor(check, {timeout: 10_000, interval: 20})
  return {root, registry, loads, events, write, state, until, at: (relative: string) => path.join(root, relative)}
}

describe('RepositoryWatcher', () => {
  it('a changed model file reloads only its model; a test set or a swap file reloads nothing', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'one', 'b/model-settings.json': {name: 'b'}, 'b/model.bin': 'two'})
    repo.write('b/test-set.json', '{}')
    repo.write('b/.model.bin.swp', 'x')
    repo.write('a/model.bin', 'three')
    await repo.until(() => expect(repo.loads.get('a')).toBe(2))
    repo.write('a/model.bin', 'four')
    await repo.until(() => expect(repo.loads.get('a')).toBe(3))
    expect(repo.loads.get('b')).toBe(1)
    expect(repo.events.map((e) => e.text)).toEqual(['watch: reloading model "a" (a/model.bin changed)', 'watch: model "a" reloaded', 'watch: reloading model "a" (a/model.bin changed)', 'watch: model "a" reloaded'])
  })

  it('a save by rename (write a temporary file, rename it over) reloads once', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'one'})
    writeFileSync(repo.at('a/model.bin.tmp'), 'renamed in')
    renameSync(repo.at('a/model.bin.tmp'), repo.at('a/model.bin'))
    await repo.until(() => expect(repo.events.at(-1)?.text).toBe('watch: model "a" reloaded'))
    expect(repo.loads.get('a')).toBe(2)
    const {instance} = repo.registry.ready('a')
    expect((await instance.runtime.predict({id: 'r', inputs: []})).outputs[0].data).toEqual(new Int32Array(['renamed in'.length]))
  })

  it('a failed reload keeps the old version serving and says why; a fix reloads it', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'good'})
    repo.write('a/model.bin', 'fail: truncated')
    await repo.until(() => expect(repo.registry.get('a', undefined)?.reason).toMatch(/reload failed, the previous instance keeps serving: bad model file: fail: truncated/))
    expect(repo.state('a')).toBe('READY')
    expect(repo.events.at(-1)).toMatchObject({level: 'error', model: 'a', text: expect.stringMatching(/model "a": reload failed, the previous version keeps serving: bad model file/)})
    repo.write('a/model.bin', 'fixed')
    await repo.until(() => expect(repo.registry.get('a', undefined)?.reason).toBe(''))
    expect(repo.loads.get('a')).toBe(2)
  })

  it('a model-settings.json that gains a version loads it and drops the unversioned one; a renamed version likewise', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'x'})
    repo.write('a/model-settings.json', {name: 'a', parameters: {version: 'v1'}})
    await repo.until(() => expect(repo.registry.index().map((i) => `${i.name} ${i.version} ${i.state}`)).toEqual(['a v1 READY']))
    repo.write('a/model-settings.json', {name: 'a', parameters: {version: 'v2'}})
    await repo.until(() => expect(repo.registry.index().map((i) => `${i.name} ${i.version} ${i.state}`)).toEqual(['a v2 READY']))
    expect(repo.events.map((e) => e.text)).toContain('watch: unloading model "a" version "v1" (a/model-settings.json no longer defines it)')
  })

  it('a new file naming a version another file defines is ignored with a warning', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'x'})
    repo.write('copy/model.bin', 'y')
    repo.write('copy/model-settings.json', {name: 'a'})
    await repo.until(() => expect(repo.events.at(-1)).toMatchObject({level: 'warn', text: 'watch: copy/model-settings.json ignored: model "a" is already defined by a/model-settings.json'}))
    expect(repo.loads.get('a')).toBe(1)
    // The original goes: the copy takes the version over, rolling.
    rmSync(repo.at('a'), {recursive: true})
    await repo.until(() => expect(repo.registry.get('a', undefined)?.spec.file).toBe(repo.at('copy/model-settings.json')))
    await repo.until(() => expect(repo.loads.get('a')).toBe(2))
    expect(repo.state('a')).toBe('READY')
    expect(repo.events.map((e) => e.text)).toContain('watch: reloading model "a" (a/model-settings.json is gone; copy/model-settings.json defines it)')
  })

  it('leaves an unloaded model alone when its files change', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'x', 'b/model-settings.json': {name: 'b'}, 'b/model.bin': 'x'})
    await repo.registry.unload('a')
    repo.write('a/model.bin', 'changed')
    repo.write('b/model.bin', 'changed')
    await repo.until(() => expect(repo.loads.get('b')).toBe(2))
    await repo.until(() => expect(repo.events.map((e) => e.text)).toContain('watch: model "a" is not loaded: a/model.bin changed, left as it is'))
    expect(repo.registry.get('a', undefined)?.toIndexItem()).toMatchObject({state: 'UNAVAILABLE', reason: 'unloaded'})
    expect(repo.loads.get('a')).toBe(1)
  })

  it('reloads a model whose uri points at a file elsewhere in the root', async () => {
    const repo = await watched({'shared/weights.bin': 'w1', 'a/model-settings.json': {name: 'a', parameters: {uri: '../shared/weights.bin'}}})
    repo.write('shared/weights.bin', 'w2')
    await repo.until(() => expect(repo.loads.get('a')).toBe(2))
  })

  it('a folder moved in whole loads its models (nested versions too); moved out, they are removed', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'x'})
    const outside = mkdtempSync(path.join(tmpdir(), 'mls-watch-out-'))
    cleanups.push(() => rmSync(outside, {recursive: true, force: true}))
    for (const version of ['v1', 'v2']) {
      mkdirSync(path.join(outside, 'tree', version), {recursive: true})
      writeFileSync(path.join(outside, 'tree', version, 'model-settings.json'), JSON.stringify({name: 'tree', parameters: {version}}))
      writeFileSync(path.join(outside, 'tree', version, 'model.bin'), version)
    }
    renameSync(path.join(outside, 'tree'), repo.at('tree'))
    await repo.until(() => expect([repo.state('tree', 'v1'), repo.state('tree', 'v2')]).toEqual(['READY', 'READY']))
    // Files written in the moved-in folder afterwards are watched too.
    repo.write('tree/v2/model.bin', 'v2 again')
    await repo.until(() => expect(repo.loads.get('tree v2')).toBe(2))
    renameSync(repo.at('tree'), path.join(outside, 'gone'))
    await repo.until(() => expect(repo.registry.index().map((i) => i.name)).toEqual(['a']))
    // Writes in the folder that moved out are no longer seen.
    writeFileSync(path.join(outside, 'gone', 'v1', 'model.bin'), 'elsewhere')
    repo.write('a/model.bin', 'y')
    await repo.until(() => expect(repo.loads.get('a')).toBe(2))
    expect(repo.loads.get('tree v1')).toBe(1)
  })

  it('deleting folder m keeps watching folder m_ab beside it', async () => {
    const repo = await watched({'m/model-settings.json': {name: 'm'}, 'm/model.bin': 'x', 'm_ab/model-settings.json': {name: 'm_ab'}, 'm_ab/model.bin': 'x'})
    rmSync(repo.at('m'), {recursive: true})
    await repo.until(() => expect(repo.registry.get('m', undefined)).toBeUndefined())
    repo.write('m_ab/model.bin', 'y')
    await repo.until(() => expect(repo.loads.get('m_ab')).toBe(2))
  })

  it('a new folder made and filled at once is loaded; a deleted one is removed', async () => {
    const repo = await watched({'a/model-settings.json': {name: 'a'}, 'a/model.bin': 'x'})
    repo.write('deep/er/b/model.bin', 'b')
    repo.write('deep/er/b/model-settings.json', {name: 'b'})
    await repo.until(() => expect(repo.state('b')).toBe('READY'))
    rmSync(repo.at('deep'), {recursive: true})
    await repo.until(() => expect(repo.registry.get('b', undefined)).toBeUndefined())
    expect(repo.state('a')).toBe('READY')
  })
})
