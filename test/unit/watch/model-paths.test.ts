/** Which models a changed path concerns: the nearest model folder above a file, models inside a folder, uri targets. */
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {isIgnoredName, isIgnoredPath} from '../../../src/watch/ignore.js'
import {modelsAffected, type WatchedModel} from '../../../src/watch/model-paths.js'

const root = path.resolve('/repo')
const at = (...parts: string[]) => path.join(root, ...parts)
const model = (folder: string, uri?: string): WatchedModel => ({file: at(folder, 'model-settings.json'), ...(uri === undefined ? {} : {uri: at(uri)})})

const mnist = model('models/mnist')
const mnistAb = model('models/mnist_ab')
const versionsParent = model('models/tree')
const v1 = model('models/tree/v1')
const v2 = model('models/tree/v2')
const shared = model('models/shared-user', 'weights/shared.onnx')
const folderUri = model('models/folder-user', 'weights/bundle')
const all = [mnist, mnistAb, versionsParent, v1, v2, shared, folderUri]

describe('modelsAffected', () => {
  it('a file belongs to the model whose folder is nearest above it', () => {
    expect(modelsAffected(at('models/mnist/model.onnx'), 'file', all)).toEqual([mnist.file])
    expect(modelsAffected(at('models/mnist/sub/deep/weights.bin'), 'file', all)).toEqual([mnist.file])
    // A version folder nested in another model's folder belongs to that version only.
    expect(modelsAffected(at('models/tree/v1/model.json'), 'file', all)).toEqual([v1.file])
    expect(modelsAffected(at('models/tree/model.json'), 'file', all)).toEqual([versionsParent.file])
  })

  it('compares whole path parts: models/mnist_ab is not inside models/mnist', () => {
    expect(modelsAffected(at('models/mnist_ab/model.onnx'), 'file', all)).toEqual([mnistAb.file])
    expect(modelsAffected(at('models/mnist'), 'gone', all)).toEqual([mnist.file])
  })

  it('a model-settings.json is its own model, known or new', () => {
    expect(modelsAffected(mnist.file, 'file', all)).toEqual([mnist.file])
    expect(modelsAffected(mnist.file, 'gone', all)).toEqual([mnist.file])
    expect(modelsAffected(at('models/new/model-settings.json'), 'file', all)).toEqual([at('models/new/model-settings.json')])
  })

  it('a file outside every model folder concerns no model, unless a uri points at it', () => {
    expect(modelsAffected(at('README.txt'), 'file', all)).toEqual([])
    expect(modelsAffected(at('weights/other.onnx'), 'file', all)).toEqual([])
    expect(modelsAffected(at('weights/shared.onnx'), 'file', all)).toEqual([shared.file])
    expect(modelsAffected(at('weights/bundle/part-1.bin'), 'file', all)).toEqual([folderUri.file])
  })

  it('a folder that went away concerns every model inside it, not the model above it', () => {
    expect(modelsAffected(at('models/tree'), 'gone', all).sort()).toEqual([versionsParent.file, v1.file, v2.file].sort())
    expect(modelsAffected(at('models/tree/v2'), 'gone', all)).toEqual([v2.file])
    expect(modelsAffected(at('weights'), 'gone', all).sort()).toEqual([shared.file, folderUri.file].sort())
    // Something gone with no model inside may have been a file of the model above.
    expect(modelsAffected(at('models/tree/v2/old.onnx'), 'gone', all)).toEqual([v2.file])
  })

  it('a folder that appeared concerns the models inside it; a new empty folder, none', () => {
    expect(modelsAffected(at('models/tree/v2'), 'directory', all)).toEqual([v2.file])
    expect(modelsAffected(at('models/tree/v3'), 'directory', all)).toEqual([])
    expect(modelsAffected(at('models/mnist/sub'), 'directory', all)).toEqual([])
  })
})

describe('ignored names', () => {
  it('skips dot files, node_modules, editor swap and temporary files, test sets and docs', () => {
    for (const name of ['.git', '.model-settings.json.swp', 'model.onnx.swp', 'model.onnx~', '4913', '#model-settings.json#', 'model-settings.json___jb_tmp___', 'x.tmp', 'node_modules', 'test-set.json', 'test-set-missing.json', 'README.md']) {
      expect(isIgnoredName(name), name).toBe(true)
    }
    for (const name of ['model.onnx', 'model-settings.json', 'model.json', 'runtime.ts', 'words.txt', 'v1.0.0']) {
      expect(isIgnoredName(name), name).toBe(false)
    }
  })

  it('skips a path when any part of it is skipped', () => {
    expect(isIgnoredPath(path.join('models', '.cache', 'model.onnx'))).toBe(true)
    expect(isIgnoredPath(path.join('models', 'custom', 'node_modules', 'pkg', 'index.js'))).toBe(true)
    expect(isIgnoredPath(path.join('models', 'mnist', 'model.onnx'))).toBe(false)
  })
})
