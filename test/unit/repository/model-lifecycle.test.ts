/**
 * The lifecycle of one version on its own: the loaded / freed hooks are told of every instance that starts serving
 * and every instance freed, in order, and of nothing else (a failed load holds no instance).
 */
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {silentLogger} from '../../../src/logger.js'
import {readModelSpec} from '../../../src/repository/discover.js'
import type {LoadedModel} from '../../../src/repository/loaded-model.js'
import {ModelEntry} from '../../../src/repository/model-entry.js'
import {ModelLifecycle} from '../../../src/repository/model-lifecycle.js'
import {repo, testRuntime, type Probe} from './test-runtime.js'

function setUp(probe: Probe) {
  const spec = readModelSpec(path.join(repo({m: {name: 'm'}}), 'm', 'model-settings.json'))
  const entry = new ModelEntry('m', undefined, spec)
  const lifecycle = new ModelLifecycle({factory: testRuntime(probe), logger: silentLogger})
  const events: string[] = []
  const names = new Map<LoadedModel, string>()
  const nameOf = (instance: LoadedModel) => names.get(instance) ?? names.set(instance, `instance ${names.size + 1}`).get(instance)!
  lifecycle.hooks.loaded.push((e, instance) => events.push(`loaded ${nameOf(instance)} (${e.state}, serving: ${e.instance === instance})`))
  lifecycle.hooks.freed.push((_, instance) => events.push(`freed ${nameOf(instance)} (runtimes freed: ${probe.unloads})`))
  return {entry, lifecycle, events}
}

describe('ModelLifecycle', () => {
  it('tells the hooks of each instance that starts serving and each one freed: load, rolling reload, unload', async () => {
    const probe: Probe = {loads: 0, unloads: 0}
    const {entry, lifecycle, events} = setUp(probe)
    expect(await lifecycle.load(entry)).toBeUndefined()
    expect(await lifecycle.load(entry)).toBeUndefined()
    await lifecycle.unload(entry)
    expect(events).toEqual([
      'loaded instance 1 (READY, serving: true)',
      'loaded instance 2 (READY, serving: true)', // the new one serves before the old one is freed
      'freed instance 1 (runtimes freed: 1)',
      'freed instance 2 (runtimes freed: 2)',
    ])
    expect(entry.toIndexItem()).toEqual({name: 'm', state: 'UNAVAILABLE', reason: 'unloaded'})
  })

  it('tells the hooks nothing of a failed load or reload', async () => {
    const probe: Probe = {loads: 0, unloads: 0, failNextLoad: 'no weights'}
    const {entry, lifecycle, events} = setUp(probe)
    expect(await lifecycle.load(entry)).toBe('no weights')
    expect(entry.toIndexItem()).toEqual({name: 'm', state: 'UNAVAILABLE', reason: 'no weights'})
    expect(() => lifecycle.instanceFor(entry)).toThrow('model "m" failed to load: no weights')
    expect(await lifecycle.load(entry)).toBeUndefined()
    probe.failNextLoad = 'corrupt'
    expect(await lifecycle.load(entry)).toBe('corrupt')
    expect(events).toEqual(['loaded instance 1 (READY, serving: true)'])
    expect(lifecycle.instanceFor(entry)).toBe(entry.instance)
  })

  it('says why a version has no instance to serve with, by state', () => {
    const {entry, lifecycle} = setUp({loads: 0, unloads: 0})
    expect(() => lifecycle.instanceFor(entry)).toThrow(
      expect.objectContaining({code: 'MODEL_UNAVAILABLE', message: 'model "m" is not loaded (load it through the repository API)'}),
    )
    entry.set('LOADING')
    expect(() => lifecycle.instanceFor(entry)).toThrow(expect.objectContaining({code: 'MODEL_NOT_READY', message: 'model "m" is loading; retry shortly'}))
    entry.set('UNLOADING')
    expect(() => lifecycle.instanceFor(entry)).toThrow(expect.objectContaining({code: 'MODEL_NOT_READY', message: 'model "m" is unloading'}))
    entry.set('UNAVAILABLE', 'unloaded')
    expect(() => lifecycle.instanceFor(entry)).toThrow(expect.objectContaining({code: 'MODEL_UNAVAILABLE', message: 'model "m" is unloaded'}))
  })
})
