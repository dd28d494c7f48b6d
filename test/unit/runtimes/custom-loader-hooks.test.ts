/** The module hooks custom runtimes load through, called directly with a stand-in for the next resolver. */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PACKAGE_SCHEME, initialize, resolve} from '../../../src/runtimes/custom/loader-hooks.js'

const root = mkdtempSync(path.join(tmpdir(), 'mls-hooks-'))
const file = (relative: string, text = '') => {
  const full = path.join(root, relative)
  mkdirSync(path.dirname(full), {recursive: true})
  writeFileSync(full, text)
  return pathToFileURL(full).href
}
const SELF = 'file:///opt/mls/dist/runtimes/custom/import-module.js'

/** A next resolver that knows `known` (specifier -> URL) and answers as tsx would for a type-less folder: commonjs. */
function next(known: Record<string, string>, seen: Array<{specifier: string; parentURL?: string}> = []) {
  return async (specifier: string, context?: {parentURL?: string}) => {
    seen.push({specifier, parentURL: context?.parentURL})
    const key = specifier === 'mls-server' && context?.parentURL === SELF ? 'mls-server@self' : specifier
    if (!(key in known)) throw Object.assign(new Error(`Cannot find package '${specifier}'`), {code: 'ERR_MODULE_NOT_FOUND'})
    return {url: known[key], format: 'commonjs'}
  }
}

beforeAll(async () => {
  await initialize({selfName: 'mls-server', aliases: ['mls'], selfParent: SELF})
})
afterAll(() => rmSync(root, {recursive: true, force: true}))

describe('loader hooks', () => {
  it('loads TypeScript and ES-syntax JavaScript in a type-less folder as ES modules, CommonJS as it is', async () => {
    const ts = file('models/a/runtime.ts')
    const esm = file('models/a/esm.js', "import {x} from './x.js'\nexport default {}\n")
    const cjs = file('models/a/cjs.js', "const x = require('x')\nmodule.exports = {}\n")
    const known = {'./runtime.ts': ts, './esm.js': esm, './cjs.js': cjs}
    expect((await resolve('./runtime.ts', {}, next(known))).format).toBe('module')
    expect((await resolve('./esm.js', {}, next(known))).format).toBe('module')
    expect((await resolve('./cjs.js', {}, next(known))).format).toBe('commonjs')
  })

  it('leaves a folder that declares its type, and node_modules, to their own rules', async () => {
    file('typed/package.json', '{"type": "commonjs"}')
    const typed = file('typed/runtime.ts')
    const dep = file('node_modules/dep/index.js', 'export default 1\n')
    expect((await resolve('./runtime.ts', {}, next({'./runtime.ts': typed}))).format).toBe('commonjs')
    expect((await resolve('dep', {}, next({dep}))).format).toBe('commonjs')
  })

  it('resolves mls-server, and mls (its name before the rename), from mls itself even where another is installed', async () => {
    const runtime = 'file:///tmp/repo/models/a/runtime.ts'
    const known = {'mls-server@self': 'file:///opt/mls/dist/index.js', 'mls-server': 'file:///tmp/repo/node_modules/mls-server/index.js', mls: 'file:///tmp/repo/node_modules/mls/index.js'}
    for (const specifier of ['mls-server', 'mls']) {
      const seen: Array<{specifier: string; parentURL?: string}> = []
      expect((await resolve(specifier, {parentURL: runtime}, next(known, seen))).url).toBe('file:///opt/mls/dist/index.js')
      expect(seen).toEqual([{specifier: 'mls-server', parentURL: SELF}])
    }
    const seen: Array<{specifier: string; parentURL?: string}> = []
    await resolve('mls/package.json', {parentURL: runtime}, next({'mls-server/package.json': 'file:///opt/mls/package.json'}, seen)).catch(() => undefined)
    expect(seen).toEqual([{specifier: 'mls-server/package.json', parentURL: SELF}])
    // Names that only start like it are other packages.
    expect((await resolve('mlsx', {parentURL: runtime}, next({mlsx: 'file:///tmp/repo/node_modules/mlsx/index.js'}))).url).toBe('file:///tmp/repo/node_modules/mlsx/index.js')
    await expect(resolve('lodash', {}, next({}))).rejects.toThrow("Cannot find package 'lodash'")
  })

  it('resolves a package from the folder named in the package scheme', async () => {
    const seen: Array<{specifier: string; parentURL?: string}> = []
    const from = 'file:///tmp/repo/models/a/runtime.js'
    const query = new URLSearchParams({name: '@acme/runtime', from})
    await resolve(`${PACKAGE_SCHEME}package?${query}`, {parentURL: SELF}, next({'@acme/runtime': 'file:///tmp/repo/node_modules/@acme/runtime/index.js'}, seen))
    expect(seen).toEqual([{specifier: '@acme/runtime', parentURL: from}])
  })
})
