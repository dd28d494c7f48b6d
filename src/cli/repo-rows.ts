/**
 * Repository index items as table rows. With a `memory_budget` the server's items carry each version's memory
 * (memory/index-fields.ts): the table then has SIZE, RESIDENCY and LAST USED before the reason; without, it is as it was.
 */
import {readIndexMemoryFields} from '../memory/index-fields.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import {formatAgo, formatMemorySize, formatResidency} from './memory-cells.js'
import {paintState, table} from './style.js'

/** The table; `now` (epoch ms) is when LAST USED is counted from. */
export function repositoryTable(items: readonly RepositoryIndexItem[], now = Date.now()): string {
  if (items.length === 0) return 'no models'
  const memory = items.map((item) => readIndexMemoryFields(item))
  if (memory.every((fields) => fields === undefined)) {
    return table(
      ['NAME', 'VERSION', 'STATE', 'REASON'],
      items.map((m) => [m.name, m.version ?? '-', paintState(m.state), m.reason]),
    )
  }
  return table(
    ['NAME', 'VERSION', 'STATE', 'SIZE', 'RESIDENCY', 'LAST USED', 'REASON'],
    items.map((m, i) => {
      const fields = memory[i]
      const lastUsed = fields?.last_used === undefined ? undefined : Date.parse(fields.last_used)
      return [
        m.name,
        m.version ?? '-',
        paintState(m.state),
        fields === undefined ? '-' : formatMemorySize(fields),
        formatResidency(m.state, m.reason, fields?.pinned === true),
        formatAgo(lastUsed, now),
        m.reason,
      ]
    }),
  )
}
