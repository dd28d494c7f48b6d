import {describe, expect, it} from 'vitest'
import type {InferRequest} from '../../src/protocol/types.js'
import {Abortable, abortOf} from '../../src/util/abortable.js'

const request: InferRequest = {id: 'r', inputs: []}

describe('Abortable', () => {
  it('gives a request a signal that follows its state, made when first read, before or after the abort', () => {
    const early = new Abortable()
    const attached = early.attach(request)
    const signal = attached.signal!
    expect(signal.aborted).toBe(false)
    const seen: unknown[] = []
    signal.addEventListener('abort', () => seen.push(signal.reason))
    early.abort('gone')
    expect(seen).toEqual(['gone'])
    expect(attached.signal).toBe(signal)

    const late = new Abortable()
    const later = late.attach(request)
    late.abort('late')
    expect(later.signal!.aborted).toBe(true)
    expect(later.signal!.reason).toBe('late')
  })

  it('abortOf watches the data plane\'s requests, copies of them, and requests with a foreign signal', () => {
    const own = new Abortable()
    const attached = own.attach(request)
    const calls: string[] = []
    abortOf(attached)!.on(() => calls.push('own'))
    abortOf({...attached})!.on(() => calls.push('copy'))
    own.abort('x')
    own.abort('again')
    abortOf(attached)!.on(() => calls.push('after'))
    expect(calls).toEqual(['own', 'copy', 'after'])
    expect(abortOf(attached)!.reason).toBe('x')

    const controller = new AbortController()
    const foreign = abortOf({...request, signal: controller.signal})!
    foreign.on(() => calls.push('foreign'))
    controller.abort('y')
    expect([foreign.aborted, foreign.reason, calls.at(-1)]).toEqual([true, 'y', 'foreign'])
    expect(abortOf(request)).toBeUndefined()
  })
})
