import {ClientCommand} from '../../cli/client-command.js'
import {repoActionArgs, repoActionFlags, runRepoAction} from '../../cli/repo-action.js'
import type {RepositoryIndexItem} from '../../protocol/types.js'

export default class RepoUnload extends ClientCommand {
  static override summary = 'Unload every version of a model (in-flight requests finish first).'
  static override enableJsonFlag = true
  static override usage = '<%= command.id %> NAME [FLAGS]'
  static override examples = ['<%= config.bin %> repo unload mushroom_xgboost', '<%= config.bin %> repo unload mnist_sklearn --url http://127.0.0.1:9080']
  static override args = repoActionArgs
  static override flags = repoActionFlags

  async run(): Promise<RepositoryIndexItem[]> {
    const {args, flags} = await this.parse(RepoUnload)
    return runRepoAction(this.client(flags), 'unload', args.name, flags.timeout, (t) => this.log(t))
  }
}
