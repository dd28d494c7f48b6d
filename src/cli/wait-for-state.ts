/** Polls the repository index until every version of a model has left a transitional state (LOADING / UNLOADING). */
import {type MlsClient} from '../client/index.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import {CliError} from './cli-error.js'

export async function waitForSettled(client: MlsClient, name: string, timeoutMs: number): Promise<RepositoryIndexItem[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const versions = (await client.repositoryIndex()).filter((m) => m.name === name)
    if (versions.every((m) => m.state !== 'LOADING' && m.state !== 'UNLOADING')) return versions
    if (Date.now() > deadline) throw new CliError(`model "${name}" is still ${versions.map((m) => m.state).join(', ')} after ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
