/** `mls bench`'s flag values: defaults, the units, and the refusals (exit 2) in the order of the flags. */
import {describe, expect, it} from 'vitest'
import {benchPlan, parseSeconds} from '../../../src/cli/bench-plan.js'
import {CliError} from '../../../src/cli/cli-error.js'

const flags = {concurrency: '1', warmup: '1', timeout: '30', shape: []}

function refusal(run: () => unknown): CliError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).exitCode).toBe(2)
    return error as CliError
  }
  throw new Error('expected a refusal')
}

describe('benchPlan', () => {
  it('measures 5 s per level by default, and only --requests when that alone is given', () => {
    expect(benchPlan(flags)).toEqual({levels: [1], shapes: new Map(), durationSeconds: 5, warmupSeconds: 1, timeoutSeconds: 30})
    const counted = benchPlan({...flags, requests: 500})
    expect(counted).toMatchObject({maxRequests: 500})
    expect(counted).not.toHaveProperty('durationSeconds')
    expect(benchPlan({...flags, requests: 500, duration: '2.5'})).toMatchObject({maxRequests: 500, durationSeconds: 2.5})
  })

  it('reads the levels and the shapes', () => {
    const plan = benchPlan({...flags, concurrency: '1, 4,16', shape: ['input:1,64', 'mask:1']})
    expect(plan.levels).toEqual([1, 4, 16])
    expect([...plan.shapes]).toEqual([['input', [1, 64]], ['mask', [1]]])
  })

  it('refuses the first bad value, in the order of the flags', () => {
    expect(refusal(() => benchPlan({...flags, concurrency: '0', duration: 'x'})).message).toMatch(/^--concurrency takes/)
    expect(refusal(() => benchPlan({...flags, shape: ['bad'], duration: 'x'})).message).toMatch(/^--shape takes/)
    expect(refusal(() => benchPlan({...flags, duration: 'abc', warmup: '-1'})).message).toBe('--duration must be a number of seconds from 0.1 to 3600, found "abc"')
    expect(refusal(() => benchPlan({...flags, warmup: '61'})).message).toBe('--warmup must be a number of seconds from 0 to 60, found "61"')
    expect(refusal(() => benchPlan({...flags, timeout: '0'})).message).toBe('--timeout must be a number of seconds from 0.1 to 3600, found "0"')
  })
})

describe('parseSeconds', () => {
  it('takes the bounds inclusive, and refuses blanks and words', () => {
    expect(parseSeconds('d', undefined, 0, 1)).toBeUndefined()
    expect(parseSeconds('d', '0', 0, 1)).toBe(0)
    expect(parseSeconds('d', '1', 0, 1)).toBe(1)
    expect(parseSeconds('d', '0.25', 0, 1)).toBe(0.25)
    for (const bad of ['', ' ', 'one', '1.5', '-0.1']) refusal(() => parseSeconds('d', bad, 0, 1))
  })
})
