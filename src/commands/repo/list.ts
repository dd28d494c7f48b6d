import {Flags} from '@oclif/core'
import {ClientCommand} from '../../cli/client-command.js'
import {repositoryTable} from '../../cli/repo-rows.js'
import type {RepositoryIndexItem} from '../../protocol/types.js'

export default class RepoList extends ClientCommand {
  static override summary = 'List the models of the repository: version, state and reason.'
  static override description = 'With a memory budget, also the memory each version holds, whether it is pinned, and when it was last used.'
  static override enableJsonFlag = true
  static override usage = '<%= command.id %> [FLAGS]'
  static override examples = ['<%= config.bin %> repo list', '<%= config.bin %> repo list --ready', '<%= config.bin %> repo list --url http://127.0.0.1:9080 --json']
  static override flags = {
    ready: Flags.boolean({description: 'only READY models (--no-ready: only the others)', allowNo: true}),
  }

  async run(): Promise<RepositoryIndexItem[]> {
    const {flags} = await this.parse(RepoList)
    const items = await this.client(flags).repositoryIndex(flags.ready)
    this.log(repositoryTable(items))
    // --json prints the items as the server sent them (with a memory budget: memory_bytes, memory_source, pinned, last_used).
    return items
  }
}
