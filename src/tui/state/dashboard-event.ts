/**
 * The dashboard's event list: what changed between polls (state changes, errors) and what the user did. Failed
 * requests of a model in consecutive polls add up in one line ("7 failed requests since 12:00:03"), so that a steady
 * error rate does not push every other event off the list.
 */
import {modelLabel as label} from '../../repository/model-label.js'
import {formatClock} from './format.js'

export type EventLevel = 'info' | 'ok' | 'warn' | 'error'

/** Failed requests of one model version, counted into one line while nothing else happens in between. */
export interface FailureCount {
  readonly key: string
  readonly label: string
  readonly count: number
  /** When the first of them was seen. */
  readonly since: number
}

/** One line of the event list. */
export interface DashboardEvent {
  /** Wall-clock time (ms since the epoch). */
  readonly time: number
  readonly level: EventLevel
  readonly text: string
  readonly failures?: FailureCount
}

/** How many events the dashboard keeps (it shows as many of the newest as fit). */
export const EVENT_CAPACITY = 100

/** How the dashboard names a model version: the one label format (repository/model-label.ts). */
export function modelLabel(name: string, version: string | undefined): string {
  return label({name, version: version || undefined})
}

/** The event for `count` failed requests of a model version, seen at `time` (first ones at `since`). */
export function failureEvent(key: string, label: string, count: number, time: number, since = time): DashboardEvent {
  const text = `${label}: ${count} failed request${count === 1 ? '' : 's'}${since === time ? '' : ` since ${formatClock(since)}`}`
  return {time, level: 'error', text, failures: {key, label, count, since}}
}

/**
 * `events` with `added` at the end, the oldest dropped beyond the capacity. A failure count joins the same model's
 * count when only failure counts came after it (the joined line moves to the end, with the new time).
 */
export function appendEvents(events: readonly DashboardEvent[], added: readonly DashboardEvent[]): readonly DashboardEvent[] {
  if (added.length === 0) return events
  const all = [...events]
  for (const event of added) {
    const failures = event.failures
    let i = all.length - 1
    while (failures !== undefined && i >= 0 && all[i].failures !== undefined && all[i].failures!.key !== failures.key) i--
    const earlier = i >= 0 ? all[i].failures : undefined
    if (failures !== undefined && earlier !== undefined && earlier.key === failures.key) {
      all.splice(i, 1)
      all.push(failureEvent(failures.key, failures.label, earlier.count + failures.count, event.time, earlier.since))
    } else all.push(event)
  }
  return all.length > EVENT_CAPACITY ? all.slice(all.length - EVENT_CAPACITY) : all
}
