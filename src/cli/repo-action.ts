/** `repo load` and `repo unload`: call, wait for the model to settle, show the outcome; exit 1 unless it got there. */
import {Args, Flags} from '@oclif/core'
import {type MlsClient} from '../client/index.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import {CliError} from './cli-error.js'
import {repositoryTable} from './repo-rows.js'
import {withSpinner} from './spinner.js'
import {waitForSettled} from './wait-for-state.js'

export const repoActionArgs = {name: Args.string({description: 'model name', required: true})}
export const repoActionFlags = {
  timeout: Flags.integer({description: 'seconds to wait for the model to settle', default: 120, min: 1}),
}

export async function runRepoAction(
  client: MlsClient,
  action: 'load' | 'unload',
  name: string,
  timeoutSeconds: number,
  log: (text: string) => void,
): Promise<RepositoryIndexItem[]> {
  const call = action === 'load' ? client.loadModel(name) : client.unloadModel(name)
  const versions = await withSpinner(`${action === 'load' ? 'loading' : 'unloading'} ${name}`, call.then(() => waitForSettled(client, name, timeoutSeconds * 1000)))
  log(repositoryTable(versions))
  const wanted = action === 'load' ? 'READY' : 'UNAVAILABLE'
  const off = versions.filter((m) => m.state !== wanted)
  if (off.length > 0) throw new CliError(`model "${name}" did not become ${wanted}: ${off.map((m) => `${m.version ?? ''} ${m.state} ${m.reason}`.trim()).join('; ')}`)
  return versions
}
