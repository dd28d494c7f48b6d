import {describe, expect, it} from 'vitest'
import {InflightRequests} from '../../../src/dataplane/inflight.js'
import {RequestScope} from '../../../src/dataplane/request-scope.js'
import {MlsError} from '../../../src/errors.js'
import {abortOf} from '../../../src/util/abortable.js'

const model = {name: 'm', version: 'v1'}

/** A model instance's queue as the scope sees it: a count of places taken. */
function queue(): {acquire(): void; release(): void; places: number} {
  return {
    places: 0,
    acquire() {
      this.places++
    },
    release() {
      this.places--
    },
  }
}

function deferred<T>(): {promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void} {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return {promise, resolve, reject}
}

describe('InflightRequests', () => {
  it('counts scopes added and removed in any order, and ignores a second removal', () => {
    const list = new InflightRequests()
    const scopes = [0, 1, 2, 3].map(() => new RequestScope(model))
    for (const scope of scopes) list.add(scope)
    expect(list.size).toBe(4)
    list.delete(scopes[1]) // middle
    list.delete(scopes[3]) // head (the last added)
    list.delete(scopes[0]) // tail
    list.delete(scopes[0]) // again: no change
    expect(list.size).toBe(1)
    expect(list.abortAll(new MlsError('SERVER_STOPPING', 'stop'))).toBe(1)
    expect(scopes[2].aborted).toBe(true)
    expect(scopes[0].aborted).toBe(false)
    list.delete(scopes[2])
    expect(list.size).toBe(0)
  })

  it('drained() resolves when the last scope leaves, at once when there is none', async () => {
    const list = new InflightRequests()
    await list.drained()
    const a = new RequestScope(model)
    const b = new RequestScope(model)
    list.add(a)
    list.add(b)
    let drained = false
    const waiting = list.drained().then(() => (drained = true))
    list.delete(a)
    await Promise.resolve()
    expect(drained).toBe(false)
    list.delete(b)
    await waiting
    expect(drained).toBe(true)
  })

  it('abortWhere() fails only the scopes it picks: the requests running on one model instance', async () => {
    const list = new InflightRequests()
    const instance = queue()
    const other = queue()
    const [a, b, c] = [0, 1, 2].map(() => new RequestScope(model))
    for (const scope of [a, b, c]) list.add(scope)
    a.hold(instance)
    b.hold(other)
    const raced = [a.race(new Promise(() => {}), true), b.race(new Promise(() => {}), true)]
    const reason = new MlsError('MODEL_NOT_READY', 'unloaded')
    expect(list.abortWhere((scope) => scope.holder === instance, reason)).toBe(1)
    await expect(raced[0]).rejects.toBe(reason)
    expect(b.aborted).toBe(false)
    expect(c.aborted).toBe(false)
  })

  it('abortAll() fails every scope in flight with the reason', () => {
    const list = new InflightRequests()
    const scopes = [0, 1, 2].map(() => new RequestScope(model))
    for (const scope of scopes) list.add(scope)
    const reason = new MlsError('SERVER_STOPPING', 'grace period over')
    expect(list.abortAll(reason)).toBe(3)
    for (const scope of scopes) expect(scope.reason).toBe(reason)
  })
})

describe('RequestScope', () => {
  it('race() of the work settles with it and gives the queue place back once', async () => {
    const scope = new RequestScope(model)
    const instance = queue()
    scope.hold(instance)
    expect(instance.places).toBe(1)
    const work = deferred<string>()
    const raced = scope.race(work.promise, true)
    work.resolve('done')
    await expect(raced).resolves.toBe('done')
    expect(instance.places).toBe(0)
    scope.dispose()
    expect(instance.places).toBe(0)
  })

  it('race() rejects with the abort reason at once; the place is given back only when the work settles, even after dispose', async () => {
    const scope = new RequestScope(model)
    const instance = queue()
    scope.hold(instance)
    const work = deferred<string>()
    const raced = scope.race(work.promise, true)
    scope.clientGone()
    await expect(raced).rejects.toMatchObject({code: 'REQUEST_CANCELLED', message: 'the client went away before model "m" version "v1" answered'})
    scope.dispose()
    expect(instance.places).toBe(1)
    work.resolve('late')
    await work.promise
    await Promise.resolve()
    expect(instance.places).toBe(0)
  })

  it('race() on a scope aborted already rejects with its reason, and the place comes back when the work settles', async () => {
    const scope = new RequestScope(model)
    const instance = queue()
    scope.hold(instance)
    scope.abort(new MlsError('SERVER_STOPPING', 'stopping'))
    await expect(scope.race(Promise.resolve(1), true)).rejects.toMatchObject({code: 'SERVER_STOPPING'})
    await Promise.resolve()
    expect(instance.places).toBe(0)
  })

  it('dispose() gives the place back when no work was started (a body that failed to decode, a stream)', async () => {
    const scope = new RequestScope(model)
    const instance = queue()
    scope.hold(instance)
    // A wait that is not the runtime's work (a stream waiting for its client) does not keep the place.
    const waiting = scope.race(new Promise(() => {}))
    scope.clientGone()
    await expect(waiting).rejects.toMatchObject({code: 'REQUEST_CANCELLED'})
    expect(instance.places).toBe(1)
    scope.dispose()
    expect(instance.places).toBe(0)
    scope.dispose()
    expect(instance.places).toBe(0)
  })

  it('times out with INFER_TIMEOUT naming the limit, and the runtime sees the abort through the request', async () => {
    const scope = new RequestScope({name: 'slow'}, undefined, 20, 'infer_timeout (0.02 s)')
    const request = scope.request('id', undefined, [], undefined)
    const raced = scope.race(new Promise(() => {}), true)
    await expect(raced).rejects.toMatchObject({code: 'INFER_TIMEOUT', message: 'model "slow" did not answer within infer_timeout (0.02 s)'})
    expect(request.signal!.aborted).toBe(true)
    expect(abortOf(request)!.aborted).toBe(true)
    scope.dispose()
  })

  it('watches the client from the start and stops watching on dispose', () => {
    const calls: string[] = []
    let seen: RequestScope | undefined
    const scope = new RequestScope(model, (watched) => {
      seen = watched
      calls.push('watch')
      return () => calls.push('unwatch')
    })
    expect(seen).toBe(scope)
    scope.dispose()
    expect(calls).toEqual(['watch', 'unwatch'])
    // A client gone before the scope was made: aborted at once.
    const gone = new RequestScope(model, (watched) => watched.clientGone())
    expect(gone.aborted).toBe(true)
    expect(() => gone.throwIfAborted()).toThrow(/client went away/)
  })

  it('dispose() stops the timer: a finished request never times out', async () => {
    const scope = new RequestScope(model, undefined, 10, 'infer_timeout (0.01 s)')
    scope.dispose()
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(scope.aborted).toBe(false)
  })
})
