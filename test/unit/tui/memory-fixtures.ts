/** Memory-aware serving as the dashboard sees it: the real memory metrics' text, and index items with memory fields. */
import {Registry} from 'prom-client'
import {indexMemoryFields} from '../../../src/memory/index-fields.js'
import type {MemorySnapshot, VersionMemory} from '../../../src/memory/memory-view.js'
import type {ModelState, RepositoryIndexItem} from '../../../src/protocol/types.js'
import {MemoryMetrics} from '../../../src/server/metrics/memory-metrics.js'

export const MIB = 1024 * 1024

/** A budget whose metrics text is read from `snapshot` at each `text()`, and the observer to tell events to. */
export function memoryServer(snapshot: MemorySnapshot | undefined) {
  const registry = new Registry()
  let current = snapshot
  const observer = new MemoryMetrics(registry, () => current)
  return {
    observer,
    set: (next: MemorySnapshot | undefined) => (current = next),
    text: () => registry.metrics(),
    /** Requests: `hits` found their version in memory, `misses` waited for a load. */
    requests(hits: number, misses: number) {
      for (let i = 0; i < hits; i++) observer.residency('m', undefined, true)
      for (let i = 0; i < misses; i++) observer.residency('m', undefined, false)
    },
  }
}

/** An index item as a server with a budget writes it (the state may be NOT_LOADED, not in ModelState yet). */
export function memoryItem(version: VersionMemory, state: string, reason = ''): RepositoryIndexItem {
  return {name: version.name, version: version.version, state: state as ModelState, reason, ...indexMemoryFields(version)}
}
