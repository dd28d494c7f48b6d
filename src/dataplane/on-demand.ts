/**
 * Requests for a version that is not in memory (with a memory_budget): each waits for the version's one shared load
 * (registry.bringIn) within its own bounds (infer_timeout, the client's deadline, the client going away: its scope),
 * and the model's max_queue_size counts them as it counts requests on a loaded instance.
 */
import {MlsError, RETRY_AFTER_SECONDS} from '../errors.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import {modelLabel} from '../repository/model-label.js'
import type {ModelRegistry} from '../repository/model-registry.js'
import {queueBound, takePlace, type ServerLimits} from './admission.js'
import type {RequestScope} from './request-scope.js'

export class OnDemandLoads {
  /** Requests waiting for each version's load. */
  private readonly waiting = new Map<ModelEntry, number>()

  constructor(
    private readonly registry: ModelRegistry,
    private readonly limits: ServerLimits,
  ) {}

  /**
   * The instance of `entry` once it is in memory. Rejects with the scope's reason when a bound fires first, with
   * QUEUE_FULL when max_queue_size requests wait already, and with the load's error (MEMORY_EXHAUSTED, the reason a
   * load failed) otherwise. Loads again if the version was evicted before this request could take its place. With
   * `hold`, the request takes its place in the instance's queue (takePlace) before anything else can run.
   */
  async instance(entry: ModelEntry, scope: RequestScope, options: {readonly hold?: boolean} = {}): Promise<LoadedModel> {
    const count = this.waiting.get(entry) ?? 0
    const bound = entry.spec.ok ? queueBound(entry.spec.settings, this.limits) : (this.limits.max_queue_size ?? 0)
    if (bound > 0 && count >= bound) {
      throw new MlsError('QUEUE_FULL', `${modelLabel(entry)} has ${count} request(s) waiting for it to load (max_queue_size ${bound}); retry in ${RETRY_AFTER_SECONDS} s`)
    }
    this.waiting.set(entry, count + 1)
    try {
      for (;;) {
        await scope.race(this.registry.bringIn(entry))
        const instance = this.registry.serving(entry, false)
        if (instance !== undefined) {
          // In the same tick as it was found: an eviction (memory_min_residency 0) cannot come between.
          if (options.hold === true) takePlace(scope, entry, instance, this.limits)
          return instance
        }
        if (!this.registry.loadsOnDemand(entry)) return this.registry.instanceFor(entry)
      }
    } finally {
      const left = (this.waiting.get(entry) ?? 1) - 1
      if (left === 0) this.waiting.delete(entry)
      else this.waiting.set(entry, left)
    }
  }
}
