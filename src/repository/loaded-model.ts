/** One loaded instance of a model version: its runtime, its effective metadata and the requests in flight on it. */
import type {TensorMetadata} from '../protocol/types.js'
import {isBuiltinRuntime} from '../runtimes/registry.js'
import type {Runtime, RuntimeFactory, RuntimeMetadata} from '../runtimes/runtime.js'
import type {ModelSettings} from '../settings/model-settings.js'
import {IdleWaiters} from '../util/idle-waiters.js'
import {within} from '../util/within.js'

/** Attaches behaviour around a loaded runtime (batching, workers); returns the runtime to serve with. */
export type RuntimeWrapper = (runtime: Runtime, settings: ModelSettings) => Runtime

export class LoadedModel {
  private inflight = 0
  private readonly idle = new IdleWaiters()
  /** A built-in runtime (mls knows its content types); false for a custom one, whose own codecs judge them. */
  readonly builtinRuntime: boolean
  /** With a memory_budget: this instance's place in the budget (model-memory.ts's Residency). */
  memory?: object = undefined
  /** With a memory_budget: told when the last request in flight ends (a load waiting for room may go on). */
  onIdle?: () => void = undefined

  private constructor(
    readonly runtime: Runtime,
    readonly metadata: RuntimeMetadata,
    readonly settings: ModelSettings,
    /** The bytes the runtime says it keeps (Runtime.memoryBytes), when it can tell. */
    readonly reportedBytes?: number,
  ) {
    this.builtinRuntime = isBuiltinRuntime(settings)
  }

  /**
   * Creates and loads the runtime, then lets `wrap` attach around it (adaptive batching, say); model-settings.json
   * inputs/outputs, when given, override the runtime's own.
   */
  static async load(settings: ModelSettings, factory: RuntimeFactory, wrap?: RuntimeWrapper): Promise<LoadedModel> {
    const loaded = factory(settings)
    await loaded.load()
    const reported = loaded.memoryBytes?.()
    const runtime = wrap ? wrap(loaded, settings) : loaded
    const own = runtime.metadata()
    const declared = (list: readonly TensorMetadata[], fallback: readonly TensorMetadata[]) => (list.length > 0 ? list : fallback)
    const metadata: RuntimeMetadata = {
      platform: settings.platform || own.platform,
      inputs: declared(settings.inputs, own.inputs),
      outputs: declared(settings.outputs, own.outputs),
    }
    return new LoadedModel(runtime, metadata, settings, typeof reported === 'number' && Number.isFinite(reported) && reported >= 0 ? reported : undefined)
  }

  get inFlight(): number {
    return this.inflight
  }

  acquire(): void {
    this.inflight++
  }

  release(): void {
    this.inflight--
    if (this.inflight === 0) {
      this.idle.wake()
      this.onIdle?.()
    }
  }

  /** Resolves once no request is in flight on this instance. */
  drained(): Promise<void> {
    return this.idle.wait(this.inflight === 0)
  }

  /**
   * Waits for in-flight requests, then frees the runtime. With `drainMs`, waits that long at most: then `onTimeout` is
   * told how many requests still run (a hung runtime), and the runtime is freed all the same.
   */
  async close(drainMs?: number, onTimeout?: (inFlight: number) => void): Promise<void> {
    if (this.inflight > 0 && drainMs !== undefined && Number.isFinite(drainMs)) {
      if (!(await within(this.drained(), drainMs))) onTimeout?.(this.inflight)
    } else {
      await this.drained()
    }
    await this.runtime.unload()
  }
}
