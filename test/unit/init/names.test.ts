import {describe, expect, it} from 'vitest'
import {CliError} from '../../../src/cli/cli-error.js'
import {checkNameAndVersion, nameFromModelFile, nameProblem, sanitizeName, versionProblem} from '../../../src/init/names.js'

describe('sanitizeName', () => {
  it('keeps letters, digits, "_" and "-"', () => {
    expect(sanitizeName('mnist_sklearn-2')).toBe('mnist_sklearn-2')
  })

  it('turns each run of other characters into one "-" and trims "-" at the ends', () => {
    expect(sanitizeName('My Model (v2).final')).toBe('My-Model-v2-final')
    expect(sanitizeName('  ..digits..  ')).toBe('digits')
    expect(sanitizeName('modèle')).toBe('mod-le')
  })

  it('returns undefined when nothing valid is left', () => {
    expect(sanitizeName('...')).toBeUndefined()
    expect(sanitizeName('')).toBeUndefined()
  })
})

describe('nameFromModelFile', () => {
  it('takes the base name without the extension', () => {
    expect(nameFromModelFile('/x/y/mushroom classifier.json')).toBe('mushroom-classifier')
    expect(nameFromModelFile('digits.v2.onnx')).toBe('digits-v2')
  })

  it('takes the folder name for a file named plainly model (MLServer layout)', () => {
    expect(nameFromModelFile('/repo/models/mnist_sklearn/model.onnx')).toBe('mnist_sklearn')
    expect(nameFromModelFile('/repo/my models/Model.JSON')).toBe('my-models')
  })

  it('is undefined when the name has nothing usable', () => {
    expect(nameFromModelFile('/x/@@@.onnx')).toBeUndefined()
  })
})

describe('name and version checks', () => {
  it('accepts URL-safe names and versions', () => {
    expect(nameProblem('digits_2-a')).toBeUndefined()
    expect(versionProblem('v1.0.0')).toBeUndefined()
  })

  it('explains what is wrong', () => {
    expect(nameProblem('a/b')).toMatch(/not a valid model name: use letters, digits/)
    expect(nameProblem('v1.0')).toMatch(/not a valid model name/)
    expect(versionProblem('1 0')).toMatch(/not a valid version/)
  })

  it('checkNameAndVersion throws usage errors (exit 2) naming the flag', () => {
    expect(() => checkNameAndVersion('ok', 'v1')).not.toThrow()
    expect(() => checkNameAndVersion(undefined, undefined)).not.toThrow()
    const error = (() => {
      try {
        checkNameAndVersion('bad name', undefined)
      } catch (e) {
        return e as CliError
      }
    })()
    expect(error).toBeInstanceOf(CliError)
    expect(error?.exitCode).toBe(2)
    expect(error?.message).toMatch(/^--name: "bad name"/)
    expect(() => checkNameAndVersion(undefined, 'v/1')).toThrow(/^--version:/)
  })
})
