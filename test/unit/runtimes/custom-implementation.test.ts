/** What `implementation` names: a built-in runtime, an MLServer alias, a runtime module path, an installed package. */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {isPackageInstalled, packageName, parseImplementation} from '../../../src/runtimes/custom/implementation.js'
import {CustomRuntime} from '../../../src/runtimes/custom/custom-runtime.js'
import {createRuntime, resolveRuntimeName} from '../../../src/runtimes/registry.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'

const temps: string[] = []
afterAll(() => temps.forEach((dir) => rmSync(dir, {recursive: true, force: true})))

function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  temps.push(dir)
  return dir
}

function model(implementation: string, folder = temp('mls-impl-')): ModelSettings {
  return {name: 'm', implementation, platform: '', versions: [], inputs: [], outputs: [], maxBatchSize: 0, maxBatchTime: 0, extra: {}, source: path.join(folder, 'model-settings.json'), folder}
}

describe('parseImplementation', () => {
  it('reads paths and packages, with an optional #export', () => {
    expect(parseImplementation('./runtime.ts')).toEqual({kind: 'file', specifier: './runtime.ts', exportName: undefined})
    expect(parseImplementation('../shared/runtime.js#Sentiment')).toEqual({kind: 'file', specifier: '../shared/runtime.js', exportName: 'Sentiment'})
    expect(parseImplementation('/abs/runtime.mjs')).toMatchObject({kind: 'file'})
    expect(parseImplementation('my-runtime')).toEqual({kind: 'package', specifier: 'my-runtime', exportName: undefined})
    expect(parseImplementation('@acme/runtimes/text#Tokens')).toEqual({kind: 'package', specifier: '@acme/runtimes/text', exportName: 'Tokens'})
  })

  it('refuses what is neither', () => {
    for (const value of ['models.MyModel', 'My Runtime', './runtime.ts#', './runtime.ts#1x', '', 'pkg/../../../etc/x', '@acme/r/./x', 'pkg/..']) {
      expect(parseImplementation(value), value).toBeUndefined()
    }
  })

  it('finds a package by its own name in node_modules here or above', () => {
    const root = temp('mls-pkg-')
    mkdirSync(path.join(root, 'node_modules/@acme/runtimes'), {recursive: true})
    writeFileSync(path.join(root, 'node_modules/@acme/runtimes/package.json'), '{}')
    mkdirSync(path.join(root, 'models/m'), {recursive: true})
    expect(packageName('@acme/runtimes/text')).toBe('@acme/runtimes')
    expect(isPackageInstalled('@acme/runtimes/text', path.join(root, 'models/m'))).toBe(true)
    expect(isPackageInstalled('@acme/other', path.join(root, 'models/m'))).toBe(false)
  })
})

describe('resolveRuntimeName', () => {
  it('built-ins and aliases stay theirs; modules and installed packages are custom', () => {
    expect(resolveRuntimeName(model('sklearn'))).toBe('sklearn')
    expect(resolveRuntimeName(model('mlserver_xgboost.XGBoostModel'))).toBe('xgboost')
    expect(resolveRuntimeName(model('./runtime.ts'))).toBe('custom')
    const folder = temp('mls-impl-')
    mkdirSync(path.join(folder, 'node_modules/text-runtime'), {recursive: true})
    writeFileSync(path.join(folder, 'node_modules/text-runtime/package.json'), '{}')
    expect(resolveRuntimeName(model('text-runtime#Tokens', folder))).toBe('custom')
    expect(createRuntime(model('./runtime.ts'))).toBeInstanceOf(CustomRuntime)
  })

  it('an unknown name lists what is accepted, with a hint for MLServer classes and bare file names', () => {
    expect(() => resolveRuntimeName(model('tensorflow'))).toThrow(
      /implementation: unknown runtime "tensorflow"; expected one of onnx, sklearn, xgboost, mlserver_sklearn\.SKLearnModel, .*, a runtime module \(\.\/runtime\.ts, \.\/runtime\.js, #ExportName optional\) or an installed package$/,
    )
    expect(() => resolveRuntimeName(model('models.MyKulModel'))).toThrow(/it looks like an MLServer Python class: write the runtime in TypeScript or JavaScript/)
    const folder = temp('mls-impl-')
    writeFileSync(path.join(folder, 'runtime.ts'), '')
    expect(() => resolveRuntimeName(model('runtime.ts', folder))).toThrow(/a runtime module is a path: "\.\/runtime\.ts"$/)
  })
})
