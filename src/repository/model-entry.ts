/** A model version known to the repository: its lifecycle state, the reason for it, and the instance serving it. */
import type {ModelState, RepositoryIndexItem} from '../protocol/types.js'
import type {ModelSpec} from './discover.js'
import type {LoadedModel} from './loaded-model.js'

export class ModelEntry {
  state: ModelState = 'UNKNOWN'
  reason = ''
  /** Set while READY (and while UNLOADING, until drained). */
  instance?: LoadedModel

  constructor(
    readonly name: string,
    readonly version: string | undefined,
    public spec: ModelSpec,
  ) {}

  toIndexItem(): RepositoryIndexItem {
    return {name: this.name, ...(this.version === undefined ? {} : {version: this.version}), state: this.state, reason: this.reason}
  }
}
