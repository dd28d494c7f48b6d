/**
 * Registry lifecycle with a controllable test runtime (real runtimes are tested on their own): unload waits for
 * in-flight requests, reload is rolling, a failed reload keeps the old instance.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {silentLogger} from '../../../src/logger.js'
import {readModelSpec} from '../../../src/repository/discover.js'
import {ModelRegistry} from '../../../src/repository/model-registry.js'
import {observed, repo, settle, tempFolder, testRuntime, type Probe} from './test-runtime.js'

async function started(models: Record<string, unknown>, probe: Probe, strictReadiness = false, watch = observed()) {
  const registry = new ModelRegistry({root: repo(models), factory: testRuntime(probe), logger: watch.logger, onStateChange: watch.onStateChange, strictReadiness})
  await registry.start(true)
  return registry
}

describe('ModelRegistry', () => {
  it('applies the uri rule on every path in: start-up, load, and one version at a time (--watch); allow_external_uris lifts it', async () => {
    const outside = tempFolder('mls-reg-outside-')
    const models = {inside: {name: 'inside', parameters: {uri: '.'}}, out: {name: 'out', parameters: {uri: outside}}}
    const probe: Probe = {loads: 0, unloads: 0}
    const registry = await started(models, probe)
    expect(registry.find('inside').state).toBe('READY')
    expect(registry.find('out')).toMatchObject({state: 'UNAVAILABLE', reason: expect.stringMatching(/parameters\.uri: .* is outside the repository root/)})
    await expect(registry.load('out')).rejects.toThrow(/outside the repository root/)
    const root = path.dirname(path.dirname(registry.find('inside').spec.file))
    const file = path.join(root, 'watched', 'model-settings.json')
    mkdirSync(path.dirname(file))
    writeFileSync(file, JSON.stringify({name: 'watched', parameters: {uri: outside}}))
    expect(await registry.loadVersion(readModelSpec(file))).toMatch(/outside the repository root/)
    const allowed = new ModelRegistry({root, factory: testRuntime(probe), logger: silentLogger, strictReadiness: false, allowExternalUris: true})
    await allowed.start(true)
    expect(allowed.find('out').state).toBe('READY')
  })

  it('unload waits for in-flight requests, refuses new ones meanwhile, then frees the runtime', async () => {
    const order: string[] = []
    const probe: Probe = {loads: 0, unloads: 0, onUnload: () => order.push('runtime freed')}
    const watch = observed()
    const registry = await started({m: {name: 'm'}}, probe, false, watch)
    const {instance} = registry.ready('m')
    instance.acquire()
    const unloadingSeen = watch.state('m', 'UNLOADING')
    const unloading = registry.unload('m')
    await unloadingSeen
    expect(() => registry.ready('m')).toThrow(expect.objectContaining({code: 'MODEL_NOT_READY'}))
    await settle() // an unload that did not wait for the request would have freed the runtime by now
    order.push('request done')
    instance.release()
    await unloading
    expect(order).toEqual(['request done', 'runtime freed'])
    expect(registry.index()).toEqual([{name: 'm', state: 'UNAVAILABLE', reason: 'unloaded'}])
    expect(() => registry.ready('m')).toThrow('model "m" is unloaded')
  })

  it('reload is rolling: the old instance serves until the new one is ready, then is freed after its requests', async () => {
    const probe: Probe = {loads: 0, unloads: 0}
    const watch = observed()
    const registry = await started({m: {name: 'm'}}, probe, false, watch)
    const old = registry.ready('m').instance
    old.acquire()
    let open!: () => void
    probe.loadGate = new Promise((resolve) => (open = resolve))
    const loadBegun = new Promise<void>((resolve) => (probe.onLoad = resolve))
    const reloading = registry.load('m')
    await loadBegun
    expect(registry.find('m').state).toBe('READY')
    expect(registry.ready('m').instance).toBe(old)
    const reloaded = watch.line(/^model "m" reloaded$/)
    open()
    await reloaded
    expect(registry.ready('m').instance).not.toBe(old)
    await settle()
    expect(probe.unloads).toBe(0) // the old one still has a request
    old.release()
    await reloading
    expect(probe.unloads).toBe(1)
  })

  it('a failed reload keeps the old instance and reports why', async () => {
    const probe: Probe = {loads: 0, unloads: 0}
    const registry = await started({m: {name: 'm'}}, probe)
    const old = registry.ready('m').instance
    probe.failNextLoad = 'weights are corrupt'
    await expect(registry.load('m')).rejects.toMatchObject({code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/^failed to load model "m": m[/\\]model-settings\.json: weights are corrupt$/)})
    expect(registry.ready('m').instance).toBe(old)
    expect(registry.find('m').reason).toBe('reload failed, the previous instance keeps serving: weights are corrupt')
  })

  it('readiness: any READY model, or with strict readiness every start-up model', async () => {
    const probe: Probe = {loads: 0, unloads: 0, failNextLoad: 'broken'}
    const lax = await started({a: {name: 'a'}, b: {name: 'b'}}, probe)
    expect(lax.isReady()).toBe(true)
    const strictProbe: Probe = {loads: 0, unloads: 0, failNextLoad: 'broken'}
    const strict = await started({a: {name: 'a'}, b: {name: 'b'}}, strictProbe, true)
    expect(strict.isReady()).toBe(false)
    expect((await started({}, {loads: 0, unloads: 0})).isReady()).toBe(false)
  })

  it('finds versions: unknown name, unknown version, default version', async () => {
    const versions = {a: {name: 'm', parameters: {version: 'v2'}}, b: {name: 'm', parameters: {version: 'v10'}}, c: {name: 'm', parameters: {version: 'v11-rc1'}}}
    const registry = await started(versions, {loads: 0, unloads: 0})
    expect(registry.find('m').version).toBe('v11-rc1')
    expect(registry.find('m', '').version).toBe('v11-rc1')
    expect(registry.find('m', 'v2').version).toBe('v2')
    expect(() => registry.find('x')).toThrow(expect.objectContaining({code: 'MODEL_NOT_FOUND'}))
    expect(() => registry.find('')).toThrow(expect.objectContaining({code: 'INVALID_REQUEST'}))
    expect(() => registry.find('m', 'v3')).toThrow('model "m" has no version "v3" (versions: v2, v10, v11-rc1)')
    // A release ranks above its candidate: once v11 is there, it is the default.
    const file = path.join(path.dirname(path.dirname(registry.find('m', 'v2').spec.file)), 'd', 'model-settings.json')
    mkdirSync(path.dirname(file))
    writeFileSync(file, JSON.stringify({name: 'm', parameters: {version: 'v11'}}))
    await registry.load('m')
    expect(registry.find('m').version).toBe('v11')
  })
})
