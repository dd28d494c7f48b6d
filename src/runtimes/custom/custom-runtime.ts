/**
 * A runtime written by the user, in TypeScript or JavaScript, served like a built-in one. model-settings.json's
 * `implementation` names its module (see implementation.ts); load() imports it, makes the runtime (instantiate.ts) and
 * runs its load(); predict() passes the validated request through and turns what comes back into an InferResult
 * (result.ts). Whatever the user's load() throws becomes the model's UNAVAILABLE reason, message as it is.
 */
import type {InferRequest, InferResult} from '../../protocol/types.js'
import type {Runtime, RuntimeContext, RuntimeMetadata} from '../runtime.js'
import {isPackageInstalled, parseImplementation, type RuntimeSource} from './implementation.js'
import {importFile, importPackage} from './import-module.js'
import {instantiate, pickExport} from './instantiate.js'
import {locateRuntimeFile} from './locate.js'
import {toInferResult} from './result.js'
import type {UserRuntime} from './user-runtime.js'

/** Imports a runtime module; tests pass their own. */
export type ModuleImporter = (source: RuntimeSource, location: string) => Promise<Record<string, unknown>>

export interface CustomRuntimeOptions {
  /** The repository root: a runtime file must be below it. Default: the model's own folder. */
  readonly root?: string
  readonly importer?: ModuleImporter
}

const defaultImporter: ModuleImporter = (source, location) => (source.kind === 'file' ? importFile(location) : importPackage(source.specifier, location))

function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown))
}

export class CustomRuntime implements Runtime {
  private user?: UserRuntime
  /** Set after load() when the user's runtime streams. */
  predictStream?: (requests: AsyncIterable<InferRequest>) => AsyncIterable<InferResult>

  constructor(
    private readonly context: RuntimeContext,
    private readonly options: CustomRuntimeOptions = {},
  ) {}

  async load(): Promise<void> {
    const {settings} = this.context
    const implementation = settings.implementation ?? ''
    const source = parseImplementation(implementation)
    if (source === undefined) throw new Error(`implementation: "${implementation}" names neither a module path (./runtime.ts) nor a package`)
    let location = settings.folder
    if (source.kind === 'file') location = locateRuntimeFile(source.specifier, settings.folder, this.options.root ?? settings.folder)
    else if (!isPackageInstalled(source.specifier, settings.folder)) throw new Error(`implementation: no package "${source.specifier}" is installed for ${settings.folder}`)
    let module: Record<string, unknown>
    try {
      module = await (this.options.importer ?? defaultImporter)(source, location)
    } catch (error) {
      throw new Error(`cannot import ${source.specifier}: ${asError(error).message}`, {cause: error})
    }
    const label = source.specifier
    const runtime = await instantiate(pickExport(module, source.exportName, label), this.context, label)
    try {
      await runtime.load?.(this.context)
    } catch (error) {
      throw asError(error)
    }
    this.user = runtime
    if (typeof runtime.predictStream === 'function') this.predictStream = (requests) => this.stream(runtime, requests)
  }

  metadata(): RuntimeMetadata {
    const own = this.loaded().metadata?.() ?? {}
    return {platform: own.platform ?? 'custom', inputs: own.inputs ?? [], outputs: own.outputs ?? []}
  }

  async predict(request: InferRequest): Promise<InferResult> {
    const value = await this.loaded().predict(request)
    return toInferResult(value, request.outputs, this.context.settings)
  }

  async unload(): Promise<void> {
    const user = this.user
    this.user = undefined
    this.predictStream = undefined
    await user?.unload?.()
  }

  private async *stream(runtime: UserRuntime, requests: AsyncIterable<InferRequest>): AsyncIterable<InferResult> {
    for await (const value of runtime.predictStream!(requests)) yield toInferResult(value, undefined, this.context.settings)
  }

  private loaded(): UserRuntime {
    if (this.user === undefined) throw new Error(`the runtime of model "${this.context.settings.name}" is not loaded`)
    return this.user
  }
}
