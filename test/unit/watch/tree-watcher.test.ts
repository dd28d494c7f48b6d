/**
 * The tree watcher on real files: what it reports and what it skips (ignored names below the root, links to a folder
 * above), and a folder moved in whole reported file by file.
 */
import {mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'
import {isIgnoredName} from '../../../src/watch/ignore.js'
import {TreeWatcher} from '../../../src/watch/tree-watcher.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function watching() {
  const base = mkdtempSync(path.join(tmpdir(), 'mls-tree-'))
  cleanups.push(() => rmSync(base, {recursive: true, force: true}))
  // The root sits in a dot folder: only names below the root are judged.
  const root = path.join(base, '.repo')
  mkdirSync(path.join(root, 'a'), {recursive: true})
  const seen: string[] = []
  const errors: string[] = []
  const tree = new TreeWatcher(root, {ignored: isIgnoredName, onPath: (p) => seen.push(path.relative(root, p)), onError: (e, where) => errors.push(`${where}: ${e.message}`)})
  cleanups.push(() => tree.close())
  tree.start()
  await tree.ready
  const until = (check: () => void) => vi.waitFor(check, {timeout: 10_000, interval: 20})
  return {base, root, seen, errors, until, at: (relative: string) => path.join(root, relative)}
}

describe('TreeWatcher', () => {
  it('reports written files and skips ignored names below the root', async () => {
    const w = await watching()
    mkdirSync(w.at('a/node_modules'))
    writeFileSync(w.at('a/node_modules/x.js'), '')
    writeFileSync(w.at('a/.model.onnx.swp'), '')
    writeFileSync(w.at('a/test-set.json'), '{}')
    writeFileSync(w.at('a/model.onnx'), 'x')
    await w.until(() => expect(w.seen).toContain(path.join('a', 'model.onnx')))
    expect(w.seen.filter((p) => /node_modules|swp|test-set/.test(p))).toEqual([])
    expect(w.errors).toEqual([])
  })

  it('does not follow a link to a folder above (it would walk the tree again and again)', async () => {
    const w = await watching()
    symlinkSync(w.root, w.at('a/up'))
    writeFileSync(w.at('a/model.onnx'), 'x')
    await w.until(() => expect(w.seen).toContain(path.join('a', 'model.onnx')))
    expect(w.seen.filter((p) => p.includes(path.join('up', 'a')))).toEqual([])
    expect(w.errors).toEqual([])
  })

  it('a folder moved in whole is reported file by file', async () => {
    const w = await watching()
    const outside = path.join(w.base, 'outside')
    mkdirSync(path.join(outside, 'm', 'v1'), {recursive: true})
    writeFileSync(path.join(outside, 'm', 'v1', 'model-settings.json'), '{}')
    renameSync(outside, w.at('moved'))
    await w.until(() => expect(w.seen).toContain(path.join('moved', 'm', 'v1', 'model-settings.json')))
  })
})
