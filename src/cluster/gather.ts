/**
 * Reads of the whole server with `--processes N`: the primary asks every serving process for its part (its
 * repository index, its statistics, its metrics) and answers with the parts merged. A process that exits before answering is left
 * out (its counters went with it); one that does not answer within GATHER_TIMEOUT_MS is left out too, so a hung
 * process cannot hold the answer.
 */
import {mergeStats} from '../dataplane/statistics.js'
import type {RepositoryIndexItem} from '../protocol/types.js'
import type {VersionStats} from '../dataplane/statistics.js'
import type {BroadcastTarget} from './broadcast.js'
import {mergeIndex} from './merge-index.js'
import type {GatherKind, GatherPart} from './messages.js'

export const GATHER_TIMEOUT_MS = 5_000

interface Waiting {
  readonly kind: GatherKind
  readonly outstanding: Set<number>
  readonly parts: GatherPart[]
  finish(): void
}

/** The parts of several processes as one. */
export function mergeParts(kind: GatherKind, parts: readonly GatherPart[]): GatherPart {
  // The metrics are combined by each family's aggregator when the primary serves them (primary.ts): here, only listed.
  if (kind === 'metrics') return {kind, metrics: parts.flatMap((p) => (p.kind === 'metrics' ? p.metrics : []))}
  if (kind === 'index') return {kind, items: mergeIndex(parts.map((p) => (p.kind === 'index' ? p.items : ([] as RepositoryIndexItem[]))))}
  return {kind, stats: mergeStats(parts.map((p) => (p.kind === 'stats' ? p.stats : ([] as VersionStats[]))))}
}

export class ClusterGather {
  private next = 0
  private readonly waiting = new Map<number, Waiting>()

  constructor(private readonly targets: () => BroadcastTarget[]) {}

  /** Every serving process's part of `kind`, merged. */
  ask(kind: GatherKind): Promise<GatherPart> {
    const targets = this.targets()
    const id = this.next++
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const waiting: Waiting = {
        kind,
        outstanding: new Set(targets.map((t) => t.number)),
        parts: [],
        finish: () => {
          clearTimeout(timer)
          this.waiting.delete(id)
          resolve(mergeParts(kind, waiting.parts))
        },
      }
      if (targets.length === 0) return waiting.finish()
      this.waiting.set(id, waiting)
      timer = setTimeout(() => waiting.finish(), GATHER_TIMEOUT_MS)
      for (const target of targets) target.send({type: 'mls:gather-do', id, kind})
    })
  }

  /** A process's part of gather `id`. */
  part(number: number, id: number, part: GatherPart): void {
    const waiting = this.waiting.get(id)
    if (waiting === undefined || !waiting.outstanding.delete(number) || part.kind !== waiting.kind) return
    waiting.parts.push(part)
    if (waiting.outstanding.size === 0) waiting.finish()
  }

  /** A process exited: its part will not come. */
  gone(number: number): void {
    for (const waiting of [...this.waiting.values()]) {
      if (waiting.outstanding.delete(number) && waiting.outstanding.size === 0) waiting.finish()
    }
  }
}
