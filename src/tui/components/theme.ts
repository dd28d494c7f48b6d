/** Colours of the dashboard (Ink colour names). */
import type {EventLevel} from '../state/dashboard-event.js'

const STATE_COLOURS: Record<string, string> = {READY: 'green', LOADING: 'yellow', UNLOADING: 'yellow', UNAVAILABLE: 'red', UNKNOWN: 'gray', NOT_LOADED: 'gray'}

/** The colour of a model state (another server's unknown states are plain). */
export function stateColour(state: string): string | undefined {
  return STATE_COLOURS[state]
}

const LEVEL_COLOURS: Record<EventLevel, string | undefined> = {info: undefined, ok: 'green', warn: 'yellow', error: 'red'}

/** The colour of an event's level. */
export function levelColour(level: EventLevel): string | undefined {
  return LEVEL_COLOURS[level]
}

/** Error rate colour: none at 0, yellow below 5%, red from 5%. */
export function errorColour(rate: number | undefined): string | undefined {
  if (rate === undefined || rate === 0) return undefined
  return rate < 0.05 ? 'yellow' : 'red'
}

/** A log line's colour from its level word (human or JSON lines). */
export function logColour(line: string): string | undefined {
  if (/\bERROR\b|"level":"error"/.test(line)) return 'red'
  if (/\bWARN\b|"level":"warn"/.test(line)) return 'yellow'
  return undefined
}
