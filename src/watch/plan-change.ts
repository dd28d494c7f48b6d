/**
 * What `mls start --watch` does when a model-settings.json's quiet period ends: a pure decision over what the file says
 * now and what the registry holds, with no file system, timers or registry calls. The watcher gathers the facts
 * (repository-watcher.ts), carries out the steps, and words them (watch-text.ts).
 */
import type {ModelState} from '../protocol/types.js'
import type {ModelSpec} from '../repository/discover.js'

/** A model version as the plan sees it (a registry entry satisfies this). */
export interface VersionView {
  readonly name: string
  readonly version?: string
  readonly state: ModelState
  readonly reason: string
}

/** Why a step is taken, as data: watch-text.ts words it. */
export type Cause =
  /** Files of the version changed (paths relative to the repository root, sorted). */
  | {readonly kind: 'changed'; readonly paths: readonly string[]}
  /** A model-settings.json appeared. */
  | {readonly kind: 'added'; readonly file: string}
  /** A model-settings.json now names another version than the one it defined. */
  | {readonly kind: 'redefined'; readonly file: string; readonly was: Identity; readonly now: Identity}
  /** The model-settings.json that defined the version is gone. */
  | {readonly kind: 'gone'; readonly file: string}
  /** The model-settings.json that defined the version defines another one now. */
  | {readonly kind: 'no-longer-defines'; readonly file: string}
  /** Another model-settings.json defines the version whose own file went: `cause` says why it went. */
  | {readonly kind: 'handed-over'; readonly cause: Cause; readonly heir: string}

/** A model name and version. */
export interface Identity {
  readonly name: string
  readonly version?: string
}

/** One thing to do; a plan is a list of them, done in order. */
export type Step<E extends VersionView> =
  /** Load a version the registry does not have. */
  | {readonly kind: 'load'; readonly spec: ModelSpec; readonly cause: Cause}
  /** Load `entry` again from `spec`, rolling when it serves (`serving`), else as a first load. */
  | {readonly kind: 'reload'; readonly entry: E; readonly spec: ModelSpec; readonly serving: boolean; readonly cause: Cause}
  /** `entry` is not loaded (unloaded on purpose, or never): a change does not bring it in. */
  | {readonly kind: 'leave'; readonly entry: E; readonly cause: Cause}
  /** `spec` names a version another, existing file defines: the new file is ignored. */
  | {readonly kind: 'ignore'; readonly spec: ModelSpec; readonly file: string; readonly definedBy: string}
  /** `entry` is no longer defined by its file: find a file that defines it (planRetire decides what then). */
  | {readonly kind: 'retire'; readonly entry: E; readonly cause: Cause}
  /** Another file defines the version now; it is not loaded, so only its file changes. */
  | {readonly kind: 'adopt'; readonly entry: E; readonly heir: Heir; readonly cause: Cause}
  /** Unload the version (in-flight requests finish) and drop it from the repository. */
  | {readonly kind: 'remove'; readonly entry: E; readonly cause: Cause}

/** Another model-settings.json that defines a version: what it says, and its path relative to the root (as told). */
export interface Heir {
  readonly spec: ModelSpec
  readonly file: string
}

/** A step that is carried out as it is (a retire step becomes one of these once its heir is known). */
export type Action<E extends VersionView> = Exclude<Step<E>, {readonly kind: 'retire'}>

/** The facts about one model-settings.json whose changes have settled. */
export interface ChangeFacts<E extends VersionView> {
  /** The model-settings.json (relative to the root, as it is told). */
  readonly file: string
  /** What it says now; undefined when it is gone (deleted, moved away, or a folder now). */
  readonly now: ModelSpec | undefined
  /** The version this file defined, if the registry has one. */
  readonly current: E | undefined
  /** The registry's version named by `now`, when it is not `current`, and whether its own file still exists. */
  readonly other?: {readonly entry: E; readonly file: string; readonly fileExists: boolean}
  /** The files that changed (relative, sorted). */
  readonly changed: readonly string[]
}

/** A version not loaded on purpose (`mls repo unload`) or never loaded (`--no-load-models-at-startup`). */
export function isLeftAlone(entry: VersionView): boolean {
  return entry.state === 'UNKNOWN' || entry.reason === 'unloaded'
}

/** Load `entry` again from `spec`, unless it is left alone. */
export function planReload<E extends VersionView>(entry: E, spec: ModelSpec, cause: Cause): Action<E> {
  if (isLeftAlone(entry)) return {kind: 'leave', entry, cause}
  return {kind: 'reload', entry, spec, serving: entry.state === 'READY', cause}
}

/**
 * The steps for one settled model-settings.json. A broken file keeps the identity of the version it defined, so that
 * version keeps serving (a failed reload); a file that names another version loads it first, then retires the one it
 * defined; a new file naming a version another existing file defines is ignored.
 */
export function planChange<E extends VersionView>(facts: ChangeFacts<E>): Array<Step<E>> {
  const {file, now, current} = facts
  if (now === undefined) return current === undefined ? [] : [{kind: 'retire', entry: current, cause: {kind: 'gone', file}}]
  if (current !== undefined && (!now.ok || sameIdentity(now, current))) return [planReload(current, now, {kind: 'changed', paths: facts.changed})]
  const steps: Array<Step<E>> = []
  const other = facts.other
  if (other !== undefined && other.entry !== current && other.fileExists) steps.push({kind: 'ignore', spec: now, file, definedBy: other.file})
  else steps.push({kind: 'load', spec: now, cause: current === undefined ? {kind: 'added', file} : {kind: 'redefined', file, was: identity(current), now: identity(now)}})
  if (current !== undefined) steps.push({kind: 'retire', entry: current, cause: {kind: 'no-longer-defines', file}})
  return steps
}

/**
 * A version whose file no longer defines it: another file that defines it (`heir`: one ignored as a duplicate, or
 * the same folder under a new name) takes it over, rolling when it is loaded; with no heir, it is removed.
 */
export function planRetire<E extends VersionView>(entry: E, cause: Cause, heir: Heir | undefined): Action<E> {
  if (heir === undefined) return {kind: 'remove', entry, cause}
  if (isLeftAlone(entry)) return {kind: 'adopt', entry, heir, cause}
  return planReload(entry, heir.spec, {kind: 'handed-over', cause, heir: heir.file})
}

function identity({name, version}: Identity): Identity {
  return version === undefined ? {name} : {name, version}
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.name === b.name && a.version === b.version
}
