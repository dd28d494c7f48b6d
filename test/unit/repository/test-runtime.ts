/**
 * For the registry tests: a runtime whose loads the test controls, a throw-away repository folder, and waits on what
 * the registry tells (state changes, log lines) instead of sleeps.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach} from 'vitest'
import type {Logger, LogFields} from '../../../src/logger.js'
import type {ModelEntry} from '../../../src/repository/model-entry.js'
import type {Runtime} from '../../../src/runtimes/runtime.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'

export interface Probe {
  loads: number
  unloads: number
  failNextLoad?: string
  /** A load waits for it (a slow load). */
  loadGate?: Promise<void>
  /** Told when a load begins, before the gate. */
  onLoad?: () => void
  /** Told when a runtime is freed. */
  onUnload?: () => void
}

/** A runtime factory whose instances answer `gen`: the number of the load that made them. */
export function testRuntime(probe: Probe) {
  return (_settings: ModelSettings): Runtime => {
    const generation = probe.loads + 1
    return {
      async load() {
        probe.onLoad?.()
        await probe.loadGate
        if (probe.failNextLoad) {
          const message = probe.failNextLoad
          probe.failNextLoad = undefined
          throw new Error(message)
        }
        probe.loads++
      },
      metadata: () => ({platform: 'test', inputs: [], outputs: [{name: 'gen', datatype: 'INT32', shape: [1]}]}),
      async predict() {
        return {outputs: [{name: 'gen', datatype: 'INT32', shape: [1], data: new Int32Array([generation])}]}
      },
      async unload() {
        probe.unloads++
        probe.onUnload?.()
      },
    }
  }
}

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, {recursive: true, force: true})
})

/** A temporary folder, removed after the test. */
export function tempFolder(prefix = 'mls-reg-'): string {
  const folder = mkdtempSync(path.join(tmpdir(), prefix))
  folders.push(folder)
  return folder
}

/** A repository with one model-settings.json per folder; removed after the test. */
export function repo(models: Record<string, unknown>): string {
  const root = tempFolder()
  for (const [folder, settings] of Object.entries(models)) {
    mkdirSync(path.join(root, folder), {recursive: true})
    writeFileSync(path.join(root, folder, 'model-settings.json'), JSON.stringify(settings))
  }
  return root
}

/** Resolves when `test` first holds for something told to `tell`; `tell` is the listener to hand to the code. */
function waiters<T>() {
  const pending: {test: (value: T) => boolean; resolve: () => void}[] = []
  const tell = (value: T): void => {
    for (const waiter of [...pending]) {
      if (waiter.test(value)) {
        pending.splice(pending.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  const next = (test: (value: T) => boolean) => new Promise<void>((resolve) => pending.push({test, resolve}))
  return {tell, next}
}

/** A listener for state changes and a logger, each with a wait for a given event; logged lines are kept. */
export function observed() {
  const states = waiters<ModelEntry>()
  const lines = waiters<string>()
  const logged: {level: string; message: string; fields?: LogFields}[] = []
  const log = (level: string) => (message: string, fields?: LogFields) => {
    logged.push({level, message, fields})
    lines.tell(message)
  }
  const logger: Logger = {debugEnabled: false, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger}
  return {
    onStateChange: states.tell,
    logger,
    logged,
    /** The next time version-less `name` (or any version of it) enters `state`. */
    state: (name: string, state: string) => states.next((entry) => entry.name === name && entry.state === state),
    /** The next log line that matches. */
    line: (pattern: RegExp) => lines.next((message) => pattern.test(message)),
  }
}

/** Lets every pending promise callback run (one turn of the event loop), so work that should wait has had its chance. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
