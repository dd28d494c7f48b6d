import {MlsCommand} from '../cli/mls-command.js'
import {runningTable, type RunningServerJson} from '../cli/running-table.js'
import {runtimeDir} from '../running/runtime-dir.js'
import {readRunningServers} from '../running/runtime-file.js'

export default class Ps extends MlsCommand {
  static override summary = 'List the mls servers running for this user: pid, REST and gRPC addresses, repository, start time, version.'

  static override description = `Each running \`mls start\` leaves a runtime file in the runtime folder: MLS_RUNTIME_DIR when set, else $XDG_RUNTIME_DIR/mls, else ~/.local/share/mls/runtime. The client commands (infer, repo, test, bench, monitor) use it to find the server when no --url, MLS_URL or settings.json says where it is.
A file left by a server that no longer runs (killed with SIGKILL, crashed) is not listed, and is removed.`

  static override examples = ['<%= config.bin %> ps', '<%= config.bin %> ps --json | jq -r ".[0].rest_url"']

  static override enableJsonFlag = true

  async run(): Promise<RunningServerJson[]> {
    await this.parse(Ps)
    const servers = readRunningServers(runtimeDir())
    this.log(runningTable(servers))
    return servers
  }
}
