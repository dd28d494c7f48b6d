/**
 * The order of the model table: by name (then version), requests/s, p99 or errors (ERR%, then failures since the
 * server started). `s` cycles the key, each starting in its natural direction (names A→Z, numbers highest first);
 * `S` reverses it. Unknown values ("-") go last either way; ties keep name order.
 */
import type {ModelRow} from './dashboard-state.js'

export type SortKey = 'name' | 'rate' | 'p99' | 'errors'

/** The key and its direction. */
export interface SortOrder {
  readonly key: SortKey
  readonly descending: boolean
}

/** The keys in the order `s` goes through them. */
export const SORT_KEYS: readonly SortKey[] = ['name', 'rate', 'p99', 'errors']

/** The table as the server lists it: by name. */
export const DEFAULT_SORT: SortOrder = {key: 'name', descending: false}

/** The next key, in its natural direction. */
export function nextSort(order: SortOrder): SortOrder {
  const key = SORT_KEYS[(SORT_KEYS.indexOf(order.key) + 1) % SORT_KEYS.length]
  return {key, descending: key !== 'name'}
}

/** The same key the other way round. */
export const reverseSort = (order: SortOrder): SortOrder => ({...order, descending: !order.descending})

/** "rate ↓" (the header says it). */
export const sortText = (order: SortOrder): string => `${order.key} ${order.descending ? '↓' : '↑'}`

const byName = (a: ModelRow, b: ModelRow) => a.name.localeCompare(b.name) || (a.version ?? '').localeCompare(b.version ?? '')

const failures = (row: ModelRow) => row.errors?.reduce((sum, count) => sum + count.total, 0)

/** The numbers a key compares, most significant first (undefined: unknown). */
function values(row: ModelRow, key: Exclude<SortKey, 'name'>): Array<number | undefined> {
  if (key === 'rate') return [row.rates?.rps]
  if (key === 'p99') return [row.rates?.p99]
  return [row.rates?.errorRate, failures(row)]
}

/** `rows` in `order` (a new array; the rows themselves are not touched). */
export function sortRows(rows: readonly ModelRow[], order: SortOrder): ModelRow[] {
  const sign = order.descending ? -1 : 1
  const key = order.key
  if (key === 'name') return [...rows].sort((a, b) => sign * byName(a, b))
  return [...rows].sort((a, b) => {
    const va = values(a, key)
    const vb = values(b, key)
    for (let i = 0; i < va.length; i++) {
      const x = va[i]
      const y = vb[i]
      if (x === y) continue
      if (x === undefined) return 1
      if (y === undefined) return -1
      return sign * (x - y)
    }
    return byName(a, b)
  })
}
