/** Repository index items as table rows. */
import type {RepositoryIndexItem} from '../protocol/types.js'
import {paintState, table} from './style.js'

export function repositoryTable(items: readonly RepositoryIndexItem[]): string {
  if (items.length === 0) return 'no models'
  return table(
    ['NAME', 'VERSION', 'STATE', 'REASON'],
    items.map((m) => [m.name, m.version ?? '-', paintState(m.state), m.reason]),
  )
}
