/** A model version known to the repository: its lifecycle state, the reason for it, and the instance serving it. */
import type {ModelState, RepositoryIndexItem} from '../protocol/types.js'
import type {ModelSpec} from './discover.js'
import type {LoadedModel} from './loaded-model.js'

/** Told of every state change (metrics, logs, the TUI's event list). */
export type StateListener = (entry: ModelEntry) => void

export class ModelEntry {
  private current: ModelState = 'UNKNOWN'
  private why = ''
  /** Set while READY (and while UNLOADING, until drained). */
  instance?: LoadedModel

  constructor(
    readonly name: string,
    readonly version: string | undefined,
    public spec: ModelSpec,
    private readonly listener: StateListener = () => {},
  ) {
    listener(this)
  }

  get state(): ModelState {
    return this.current
  }

  get reason(): string {
    return this.why
  }

  set(state: ModelState, reason = ''): void {
    const changed = state !== this.current || reason !== this.why
    this.current = state
    this.why = reason
    if (changed) this.listener(this)
  }

  toIndexItem(): RepositoryIndexItem {
    return {name: this.name, ...(this.version === undefined ? {} : {version: this.version}), state: this.state, reason: this.reason}
  }
}
