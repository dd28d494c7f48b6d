/**
 * How `mls start --watch` words what it does: the dashboard's event text and the log line (with its `event` and
 * `reason` fields) for each step of a plan (plan-change.ts), before it is carried out and after.
 */
import {modelLabel} from '../repository/model-label.js'
import type {Action, Cause, Identity, VersionView} from './plan-change.js'

/** What the watcher did, for people: one line, with the model version it concerns. */
export interface WatchEvent {
  readonly level: 'info' | 'ok' | 'warn' | 'error'
  readonly model: string
  readonly version?: string
  readonly text: string
}

/** A log line: `watch: <message>` with the event name and the reason as fields. */
export interface WatchLogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly event: string
  readonly message: string
  readonly reason: string
}

/** What to tell before a step is carried out (or instead of it, for the steps that do nothing). */
export interface Telling {
  readonly who: Identity
  readonly level: WatchEvent['level']
  readonly text: string
  readonly log?: WatchLogLine
}

/** `model "m"` or `model "m" version "v1"`: the one model label. */
export const label = (who: Identity): string => modelLabel(who)

/** Why, in a few words: "models/a/model.onnx changed", "a/model-settings.json is gone; b/model-settings.json defines it". */
export function causeText(cause: Cause): string {
  switch (cause.kind) {
    case 'changed':
      return describe(cause.paths)
    case 'added':
      return `${cause.file} added`
    case 'redefined':
      return `${cause.file} now defines ${label(cause.now)} instead of ${label(cause.was)}`
    case 'gone':
      return `${cause.file} is gone`
    case 'no-longer-defines':
      return `${cause.file} no longer defines it`
    case 'handed-over':
      return `${causeText(cause.cause)}; ${cause.heir} defines it`
  }
}

/** The line told when a step starts (or, for leave, ignore and adopt, is the whole step). */
export function before(step: Action<VersionView>): Telling {
  switch (step.kind) {
    case 'load': {
      const reason = causeText(step.cause)
      return {who: step.spec, level: 'info', text: `loading ${label(step.spec)} (${reason})`, log: {level: 'info', event: 'watch_load', message: `loading ${label(step.spec)}`, reason}}
    }
    case 'reload': {
      const reason = causeText(step.cause)
      const verb = step.serving ? 'reloading' : 'loading'
      const event = step.serving ? 'watch_reload' : 'watch_load'
      return {who: step.entry, level: 'info', text: `${verb} ${label(step.entry)} (${reason})`, log: {level: 'info', event, message: `${verb} ${label(step.entry)}`, reason}}
    }
    case 'leave': {
      const reason = causeText(step.cause)
      const log: WatchLogLine = {level: 'debug', event: 'watch_skipped', message: `${label(step.entry)} is not loaded; change left alone`, reason}
      return {who: step.entry, level: 'info', text: `${label(step.entry)} is not loaded: ${reason}, left as it is`, log}
    }
    case 'ignore': {
      const file = step.file
      const reason = `${label(step.spec)} is already defined by ${step.definedBy}`
      return {who: step.spec, level: 'warn', text: `${file} ignored: ${reason}`, log: {level: 'warn', event: 'watch_ignored', message: `${file} ignored`, reason}}
    }
    case 'adopt':
      return {who: step.entry, level: 'info', text: `${label(step.entry)} is now defined by ${step.heir.file} (${causeText(step.cause)})`}
    case 'remove': {
      const reason = causeText(step.cause)
      return {who: step.entry, level: 'info', text: `unloading ${label(step.entry)} (${reason})`, log: {level: 'info', event: 'watch_unload', message: `unloading ${label(step.entry)}`, reason}}
    }
  }
}

/** The line told when a load, reload or removal is over; `failure` is the registry's reason when it failed. */
export function after(step: Action<VersionView>, failure: string | undefined): Telling | undefined {
  switch (step.kind) {
    case 'load':
      return failure === undefined ? {who: step.spec, level: 'ok', text: `${label(step.spec)} loaded`} : {who: step.spec, level: 'error', text: `${label(step.spec)} failed to load: ${failure}`}
    case 'reload': {
      const who = step.entry
      if (failure === undefined) return {who, level: 'ok', text: `${label(who)} ${step.serving ? 'reloaded' : 'loaded'}`}
      if (step.serving) return {who, level: 'error', text: `${label(who)}: reload failed, the previous version keeps serving: ${failure}`}
      return {who, level: 'error', text: `${label(who)} failed to load: ${failure}`}
    }
    case 'remove':
      return {who: step.entry, level: 'ok', text: `${label(step.entry)} unloaded and removed from the repository`}
    default:
      return undefined
  }
}

/** "a changed", "a and 2 more changed". */
function describe(changed: readonly string[]): string {
  if (changed.length === 0) return 'files changed'
  return `${changed[0]}${changed.length > 1 ? ` and ${changed.length - 1} more` : ''} changed`
}
