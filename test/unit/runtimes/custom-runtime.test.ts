/**
 * CustomRuntime with an injected importer (the real one, through tsx, is exercised end to end in
 * test/e2e/custom-runtime.test.ts): which export is the runtime, how it is made, what its load() failures say, and
 * what predict() may return.
 */
import {mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {Table} from '../../../src/codecs/table.js'
import {silentLogger} from '../../../src/logger.js'
import type {InferRequest} from '../../../src/protocol/types.js'
import {BaseRuntime} from '../../../src/runtimes/custom/base-runtime.js'
import {CustomRuntime, type ModuleImporter} from '../../../src/runtimes/custom/custom-runtime.js'
import {NO_METRICS} from '../../../src/runtimes/custom/no-metrics.js'
import type {RuntimeContext} from '../../../src/runtimes/runtime.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'

const temps: string[] = []
afterAll(() => temps.forEach((dir) => rmSync(dir, {recursive: true, force: true})))

function repo(): {root: string; folder: string} {
  // The repository sits one level down, so a test can put a file beside it (outside it).
  const parent = mkdtempSync(path.join(tmpdir(), 'mls-custom-'))
  temps.push(parent)
  const root = path.join(parent, 'repo')
  const folder = path.join(root, 'models', 'm')
  mkdirSync(folder, {recursive: true})
  writeFileSync(path.join(folder, 'runtime.ts'), '// imported by the test importer\n')
  return {root, folder}
}

function context(folder: string, implementation = './runtime.ts', more: Partial<ModelSettings> = {}): RuntimeContext {
  const settings: ModelSettings = {
    name: 'm',
    implementation,
    platform: '',
    versions: [],
    inputs: [],
    outputs: [],
    maxBatchSize: 0,
    maxBatchTime: 0,
    extra: {},
    source: path.join(folder, 'model-settings.json'),
    folder,
    ...more,
  }
  return {settings, metrics: NO_METRICS, logger: silentLogger}
}

const importing = (module: Record<string, unknown>): ModuleImporter => async () => module
const request = (inputs: InferRequest['inputs'], outputs?: string[]): InferRequest => ({id: '1', inputs, outputs})
const x = {name: 'x', datatype: 'FP64' as const, shape: [2], data: Float64Array.of(1, 2)}

async function loaded(module: Record<string, unknown>, implementation?: string, more?: Partial<ModelSettings>): Promise<CustomRuntime> {
  const {root, folder} = repo()
  const runtime = new CustomRuntime(context(folder, implementation, more), {root, importer: importing(module)})
  await runtime.load()
  return runtime
}

async function loadError(module: Record<string, unknown>, implementation?: string): Promise<string> {
  const {root, folder} = repo()
  const error = await new CustomRuntime(context(folder, implementation), {root, importer: importing(module)}).load().then(
    () => undefined,
    (e: Error) => e,
  )
  expect(error).toBeInstanceOf(Error)
  return error!.message
}

class Doubler extends BaseRuntime {
  async predict(req: InferRequest) {
    const {x: value} = this.decodeRequest<{x: {data: Float64Array}}>(req)
    return this.encodeResponse({y: value.data.map((v) => v * 2)})
  }
}

describe('CustomRuntime: making the runtime', () => {
  it('constructs a default-exported class with the context', async () => {
    const runtime = await loaded({default: Doubler})
    const result = await runtime.predict(request([x]))
    expect(result.outputs[0]).toMatchObject({name: 'y', datatype: 'FP64', shape: [2, 1]})
    expect(Array.from(result.outputs[0].data as Float64Array)).toEqual([2, 4])
  })

  it('takes the export named after #, a factory function (async too), or a plain object whose load gets the context', async () => {
    expect((await loaded({Doubler}, './runtime.ts#Doubler')).metadata().platform).toBe('custom')
    const made: string[] = []
    const factory = async (ctx: RuntimeContext) => ({predict: () => ({name: [ctx.settings.name]})})
    expect((await (await loaded({default: factory})).predict(request([x]))).outputs[0]).toMatchObject({name: 'name', datatype: 'BYTES'})
    const plain = {load: (ctx: RuntimeContext) => made.push(ctx.settings.name), predict: () => ({outputs: []})}
    await loaded({default: plain})
    expect(made).toEqual(['m'])
  })

  it('says what is wrong with the module', async () => {
    expect(await loadError({Doubler})).toBe('./runtime.ts has no default export: export the runtime as default, or name it in implementation with #Name (it exports Doubler)')
    expect(await loadError({default: Doubler}, './runtime.ts#Other')).toBe('./runtime.ts has no export "Other"')
    expect(await loadError({default: {load() {}}})).toMatch(/^\.\/runtime\.ts: the runtime must be a class, a factory function or an object with a predict\(request\) method/)
    expect(await loadError({default: 42})).toMatch(/found number$/)
  })

  it("keeps load()'s message as it is: it becomes the model's reason", async () => {
    expect(await loadError({default: {load: () => Promise.reject(new Error('weights.bin is missing')), predict() {}}})).toBe('weights.bin is missing')
    expect(await loadError({default: {load: () => Promise.reject('plain string'), predict() {}}})).toBe('plain string')
  })

  it('refuses a module outside the repository root, or missing', async () => {
    const {root, folder} = repo()
    writeFileSync(path.join(root, '..', 'escape.js'), '')
    const outside = new CustomRuntime(context(folder, '../../../escape.js'), {root, importer: importing({default: Doubler})})
    await expect(outside.load()).rejects.toThrow(/^implementation: \.\.\/\.\.\/\.\.\/escape\.js is \.\.\/escape\.js, outside the repository root; a runtime module must live inside the repository$/)
    const missing = new CustomRuntime(context(folder, './nope.ts'), {root, importer: importing({default: Doubler})})
    await expect(missing.load()).rejects.toThrow(`implementation: no runtime module at ${path.join(folder, 'nope.ts')} (./nope.ts from the model folder)`)
    // Without a root, the model's own folder is the limit.
    writeFileSync(path.join(root, 'models', 'shared.ts'), '')
    await expect(new CustomRuntime(context(folder, '../shared.ts'), {importer: importing({default: Doubler})}).load()).rejects.toThrow(/outside the repository root/)
    await new CustomRuntime(context(folder, '../shared.ts'), {root, importer: importing({default: Doubler})}).load()
  })

  it('follows symbolic links before the check: a link inside the root to a file outside it is refused, a link within it is fine', async () => {
    const {root, folder} = repo()
    const escape = path.join(root, '..', 'escape.js')
    writeFileSync(escape, '')
    symlinkSync(escape, path.join(folder, 'linked.js'))
    const linked = new CustomRuntime(context(folder, './linked.js'), {root, importer: importing({default: Doubler})})
    await expect(linked.load()).rejects.toThrow(`implementation: ./linked.js is ${path.relative(realpathSync(root), realpathSync(escape))}, outside the repository root; a runtime module must live inside the repository`)
    // A folder link on the way counts too.
    symlinkSync(path.join(root, '..'), path.join(folder, 'up'))
    await expect(new CustomRuntime(context(folder, './up/escape.js'), {root, importer: importing({default: Doubler})}).load()).rejects.toThrow(/outside the repository root/)
    symlinkSync(path.join(folder, 'runtime.ts'), path.join(root, 'models', 'alias.ts'))
    await new CustomRuntime(context(folder, '../alias.ts'), {root, importer: importing({default: Doubler})}).load()
    // A repository root that is itself a link is compared by its real path.
    const rootLink = `${root}-link`
    symlinkSync(root, rootLink)
    await new CustomRuntime(context(path.join(rootLink, 'models', 'm')), {root: rootLink, importer: importing({default: Doubler})}).load()
  })

  it('reports an import failure with the module it was importing', async () => {
    const {root, folder} = repo()
    const failing: ModuleImporter = async () => {
      throw new SyntaxError('Unexpected token')
    }
    await expect(new CustomRuntime(context(folder), {root, importer: failing}).load()).rejects.toThrow('cannot import ./runtime.ts: Unexpected token')
  })
})

describe('CustomRuntime: predict', () => {
  it('checks a returned InferResult and turns plain arrays into typed data', async () => {
    const runtime = await loaded({default: {predict: () => ({outputs: [{name: 'o', datatype: 'INT32', shape: [2], data: [1, 2]}], parameters: {k: 1}})}})
    const result = await runtime.predict(request([x]))
    expect(result.parameters).toEqual({k: 1})
    expect(result.outputs[0].data).toEqual(Int32Array.of(1, 2))
    const bad = await loaded({default: {predict: () => ({outputs: [{name: 'o', datatype: 'INT32', shape: [3], data: [1, 2]}]})}})
    await expect(bad.predict(request([x]))).rejects.toThrow('output "o": shape [3] needs 3 elements, data has 2')
  })

  it('encodes other values with the model defaults, e.g. a Table with pd', async () => {
    const runtime = await loaded({default: {predict: () => new Table({a: [1, 2], b: ['x', 'y']})}})
    const result = await runtime.predict(request([x]))
    expect(result.parameters).toEqual({content_type: 'pd'})
    expect(result.outputs.map((o) => o.name)).toEqual(['a', 'b'])
  })

  it('returns the requested outputs only, in the order asked, and says which one is missing', async () => {
    const runtime = await loaded({default: {predict: () => ({a: [1], b: [2], c: [3]})}})
    expect((await runtime.predict(request([x], ['c', 'a']))).outputs.map((o) => o.name)).toEqual(['c', 'a'])
    await expect(runtime.predict(request([x], ['d']))).rejects.toThrow('the runtime returned no output "d" (it returned "a", "b", "c")')
  })

  it('metadata: the runtime own, else custom with nothing declared; BaseRuntime declares model-settings.json', async () => {
    expect((await loaded({default: {predict() {}}})).metadata()).toEqual({platform: 'custom', inputs: [], outputs: []})
    const declared = {inputs: [{name: 'x', datatype: 'FP64' as const, shape: [-1]}], platform: 'mine'}
    expect((await loaded({default: Doubler}, undefined, declared)).metadata()).toEqual({platform: 'mine', inputs: declared.inputs, outputs: []})
  })

  it('passes a stream through predictStream, encoding each value', async () => {
    const runtime = await loaded({
      default: {
        predict() {},
        async *predictStream(requests: AsyncIterable<InferRequest>) {
          for await (const r of requests) yield {id: [r.id]}
        },
      },
    })
    async function* requests() {
      yield request([x])
      yield {...request([x]), id: '2'}
    }
    const ids = []
    for await (const result of runtime.predictStream!(requests())) ids.push(result.outputs[0].parameters)
    expect(ids).toEqual([{content_type: 'str'}, {content_type: 'str'}])
  })

  it('unload() reaches the runtime, then predict refuses', async () => {
    let unloaded = false
    const runtime = await loaded({default: {predict: () => ({outputs: []}), unload: () => (unloaded = true)}})
    await runtime.unload()
    expect(unloaded).toBe(true)
    await expect(runtime.predict(request([x]))).rejects.toThrow('the runtime of model "m" is not loaded')
  })
})
