/**
 * Binds request inputs to the inputs a model declares. Several declared inputs match by name; a model with exactly one
 * input takes one tensor under any name (as MLServer's numpy codec does: its example clients send "predict").
 */
import {MlsError} from '../errors.js'
import {formatShape} from '../protocol/shape.js'
import type {TensorMetadata} from '../protocol/types.js'
import type {RawTensor} from './decode-input.js'

export interface BoundInput<T extends RawTensor> {
  readonly input: T
  /** The declared input, when the model declares its inputs. */
  readonly target?: TensorMetadata
}

export function matchInputs<T extends RawTensor>(inputs: readonly T[], declared: readonly TensorMetadata[]): BoundInput<T>[] {
  // One input (the common case) needs no duplicate check.
  if (inputs.length === 1 && declared.length <= 1) {
    const bound: BoundInput<T> = declared.length === 0 ? {input: inputs[0]} : {input: inputs[0], target: declared[0]}
    if (bound.target !== undefined) checkShape(bound.input, bound.target)
    return [bound]
  }
  const seen = new Set<string>()
  for (const input of inputs) {
    if (seen.has(input.name)) throw new MlsError('INPUT_MISMATCH', `input "${input.name}" is given more than once`)
    seen.add(input.name)
  }
  if (declared.length === 0) return inputs.map((input) => ({input}))
  const names = () => declared.map((d) => `"${d.name}"`).join(', ')
  const bound = inputs.map((input): BoundInput<T> => {
    const target = declared.find((d) => d.name === input.name)
    if (target === undefined) throw new MlsError('INPUT_MISMATCH', `unknown input "${input.name}"; the model takes ${names()}`)
    return {input, target}
  })
  const missing = declared.filter((d) => !seen.has(d.name))
  if (missing.length > 0) {
    throw new MlsError('INPUT_MISMATCH', `missing input ${missing.map((d) => `"${d.name}"`).join(', ')}; the model takes ${names()}`)
  }
  for (const {input, target} of bound) checkShape(input, target!)
  return bound
}

function checkShape(input: RawTensor, target: TensorMetadata): void {
  const fits =
    target.shape.length === 0 ||
    (input.shape.length === target.shape.length && target.shape.every((dim, i) => dim === -1 || dim === input.shape[i]))
  if (!fits) {
    throw new MlsError(
      'INVALID_SHAPE',
      `input "${input.name}": shape ${formatShape(input.shape)} does not match the model input "${target.name}" ${formatShape(target.shape)}`,
    )
  }
}
