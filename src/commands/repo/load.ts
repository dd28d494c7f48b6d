import {ClientCommand} from '../../cli/client-command.js'
import {repoActionArgs, repoActionFlags, runRepoAction} from '../../cli/repo-action.js'
import type {RepositoryIndexItem} from '../../protocol/types.js'

export default class RepoLoad extends ClientCommand {
  static override summary = 'Load (or reload) a model and wait until it is READY.'
  static override description = 'Loads every version of NAME from the repository on disk; a loaded model is reloaded without downtime.'
  static override enableJsonFlag = true
  static override usage = '<%= command.id %> NAME [FLAGS]'
  static override examples = ['<%= config.bin %> repo load mushroom_xgboost', '<%= config.bin %> repo load mnist_sklearn --grpc']
  static override args = repoActionArgs
  static override flags = repoActionFlags

  async run(): Promise<RepositoryIndexItem[]> {
    const {args, flags} = await this.parse(RepoLoad)
    return runRepoAction(this.client(flags), 'load', args.name, flags.timeout, (t) => this.log(t))
  }
}
