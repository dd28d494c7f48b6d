/**
 * How `mls repo list` and the dashboard write a version's memory (the index fields of a `memory_budget`): its size,
 * "~" first when only estimated from its files; where it is (in memory, pinned, evicted, not loaded); when it was last
 * used ("3 s ago").
 */
import {formatBytes} from '../memory/byte-size.js'
import type {IndexMemoryFields} from '../memory/index-fields.js'

/** The size, "~12.0 MiB" when estimated (a measured or stated size has no marker). */
export function formatMemorySize(fields: Pick<IndexMemoryFields, 'memory_bytes' | 'memory_source'>): string {
  return `${fields.memory_source === 'estimated' ? '~' : ''}${formatBytes(fields.memory_bytes)}`
}

/**
 * Where the version is, from its state (and reason) and whether it is pinned: "pinned" (READY and never evicted),
 * "in memory" (READY), "evicted" / "not loaded" (NOT_LOADED: loads on the next request), "loading", "unloading";
 * "-" for the other states (UNAVAILABLE: the state and reason say why).
 */
export function formatResidency(state: string, reason: string, pinned: boolean): string {
  switch (state) {
    case 'READY':
      return pinned ? 'pinned' : 'in memory'
    case 'NOT_LOADED':
      return reason.startsWith('evicted') ? 'evicted' : 'not loaded'
    case 'LOADING':
      return 'loading'
    case 'UNLOADING':
      return 'unloading'
    default:
      return '-'
  }
}

/** How long ago `then` (epoch ms) was, at `now`: "now", "3 s ago", "12 min ago", "5 h ago", "2 d ago"; "-" for never. */
export function formatAgo(then: number | undefined, now: number): string {
  if (then === undefined || !Number.isFinite(then)) return '-'
  const seconds = Math.max(0, Math.floor((now - then) / 1000))
  if (seconds < 1) return 'now'
  if (seconds < 60) return `${seconds} s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86_400)} d ago`
}
