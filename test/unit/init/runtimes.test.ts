import {describe, expect, it} from 'vitest'
import {CliError} from '../../../src/cli/cli-error.js'
import {modelFileName, resolveRuntime} from '../../../src/init/runtimes.js'

function refusal(run: () => unknown): CliError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    return error as CliError
  }
  throw new Error('expected a refusal')
}

describe('resolveRuntime', () => {
  it('detects the runtime from the extension (any case)', () => {
    expect(resolveRuntime(undefined, 'a/model.onnx')).toBe('onnx')
    expect(resolveRuntime(undefined, 'a/MODEL.ONNX')).toBe('onnx')
    expect(resolveRuntime(undefined, 'a/model.json')).toBe('xgboost')
    expect(resolveRuntime(undefined, 'a/model.ubj')).toBe('xgboost')
  })

  it('keeps an explicit runtime the file can feed', () => {
    expect(resolveRuntime('sklearn', 'model.onnx')).toBe('sklearn')
    expect(resolveRuntime('onnx', 'model.onnx')).toBe('onnx')
    expect(resolveRuntime('xgboost', 'model.json')).toBe('xgboost')
  })

  it('without a file: the flag, or undefined', () => {
    expect(resolveRuntime('xgboost', undefined)).toBe('xgboost')
    expect(resolveRuntime(undefined, undefined)).toBeUndefined()
  })

  it('refuses a runtime the file cannot feed', () => {
    expect(refusal(() => resolveRuntime('xgboost', 'model.onnx')).message).toMatch(/an \.onnx file needs --runtime onnx or sklearn/)
    expect(refusal(() => resolveRuntime('sklearn', 'model.json')).message).toMatch(/XGBoost's format/)
  })

  it('custom takes any model file but a pickle, or none', () => {
    expect(resolveRuntime('custom', undefined)).toBe('custom')
    expect(resolveRuntime('custom', 'weights.bin')).toBe('custom')
    expect(resolveRuntime('custom', 'model.onnx')).toBe('custom')
    expect(refusal(() => resolveRuntime('custom', 'model.joblib')).message).toMatch(/mls never loads pickles/)
  })

  it('custom refuses a model file named like the files it writes', () => {
    const error = refusal(() => resolveRuntime('custom', 'src/runtime.ts'))
    expect(error.message).toBe("--model-file src/runtime.ts: a custom model's folder has its own runtime.ts; rename the file")
    expect(error.exitCode).toBe(2)
  })

  it('refuses pickles with the skl2onnx recipe', () => {
    for (const file of ['model.joblib', 'm.pkl', 'M.PICKLE']) {
      const error = refusal(() => resolveRuntime(undefined, file))
      expect(error.exitCode).toBe(2)
      expect(error.message).toMatch(/mls never loads pickles/)
      expect(error.message).toMatch(/from skl2onnx import to_onnx/)
      expect(error.message).toMatch(/"zipmap": False/)
    }
  })

  it('refuses an extension it cannot read', () => {
    expect(refusal(() => resolveRuntime(undefined, 'model.bst')).message).toMatch(/cannot tell the model format from "\.bst"/)
    expect(refusal(() => resolveRuntime('onnx', 'model')).message).toMatch(/"no extension"/)
  })

  it('refuses an unknown runtime name', () => {
    expect(refusal(() => resolveRuntime('tensorflow', undefined)).message).toMatch(/unknown runtime "tensorflow"/)
  })
})

describe('modelFileName', () => {
  it('names the copy after the runtime and the source extension', () => {
    expect(modelFileName('onnx')).toBe('model.onnx')
    expect(modelFileName('sklearn', '/x/digits.onnx')).toBe('model.onnx')
    expect(modelFileName('xgboost')).toBe('model.json')
    expect(modelFileName('xgboost', '/x/m.json')).toBe('model.json')
    expect(modelFileName('xgboost', '/x/m.UBJ')).toBe('model.ubj')
    expect(modelFileName('custom')).toBe('runtime.ts')
    expect(modelFileName('custom', '/x/weights.bin')).toBe('weights.bin')
  })
})
