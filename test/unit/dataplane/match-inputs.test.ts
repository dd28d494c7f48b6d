import {describe, expect, it} from 'vitest'
import {matchInputs} from '../../../src/dataplane/match-inputs.js'
import type {TensorMetadata} from '../../../src/protocol/types.js'

const input = (name: string, shape = [1, 2]) => ({name, shape, datatype: 'FP32' as const, data: [1, 2]})
const a: TensorMetadata = {name: 'a', datatype: 'FP32', shape: [-1, 2]}
const b: TensorMetadata = {name: 'b', datatype: 'INT64', shape: [-1, 2]}

describe('matchInputs', () => {
  it('binds one tensor to a one-input model under any name', () => {
    expect(matchInputs([input('predict')], [a])).toEqual([{input: input('predict'), target: a}])
  })

  it('matches several inputs by name, in any order', () => {
    const bound = matchInputs([input('b'), input('a')], [a, b])
    expect(bound.map((x) => x.target?.name)).toEqual(['b', 'a'])
  })

  it('refuses unknown, missing and duplicate inputs', () => {
    expect(() => matchInputs([input('a'), input('c')], [a, b])).toThrow('unknown input "c"; the model takes "a", "b"')
    expect(() => matchInputs([input('a')], [a, b])).toThrow('missing input "b"; the model takes "a", "b"')
    expect(() => matchInputs([input('a'), input('a')], [a])).toThrow('input "a" is given more than once')
  })

  it('checks shapes against declared dimensions, -1 matching any', () => {
    expect(() => matchInputs([input('x', [7, 2])], [a])).not.toThrow()
    expect(() => matchInputs([input('x', [1, 3])], [a])).toThrow('input "x": shape [1,3] does not match the model input "a" [-1,2]')
    expect(() => matchInputs([input('x', [2])], [a])).toThrow(/does not match/)
  })

  it('passes inputs through when the model declares none', () => {
    expect(matchInputs([input('anything', [9])], [])).toEqual([{input: input('anything', [9])}])
  })
})
