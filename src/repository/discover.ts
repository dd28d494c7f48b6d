/** Finds every model-settings.json below the repository root and reads it; a broken file becomes a failed spec. */
import {readFileSync} from 'node:fs'
import {readdir} from 'node:fs/promises'
import path from 'node:path'
import type {Logger} from '../logger.js'
import {loadModelSettings} from '../settings/load-model-settings.js'
import type {ModelSettings} from '../settings/model-settings.js'
import {readEnvModel} from './env-model.js'

export const MODEL_SETTINGS_FILE = 'model-settings.json'
const SKIPPED_FOLDERS = new Set(['node_modules', '.git'])

export type ModelSpec =
  | {readonly ok: true; readonly name: string; readonly version?: string; readonly file: string; readonly settings: ModelSettings; readonly warnings: readonly string[]}
  | {readonly ok: false; readonly name: string; readonly version?: string; readonly file: string; readonly error: string}

/**
 * Every model-settings.json below root, sorted. A folder that cannot be read is skipped, and `logger` is told which
 * and why: the models below it are then missing from the repository, which the log must say.
 */
export async function findModelSettingsFiles(root: string, logger?: Pick<Logger, 'warn'>): Promise<string[]> {
  const found: string[] = []
  const walk = async (folder: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(folder, {withFileTypes: true})
    } catch (error) {
      const reason = (error as Error).message
      logger?.warn(`cannot read folder ${folder}; models below it are not served: ${reason}`, {event: 'folder_unreadable', path: folder, reason})
      return
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) await walk(full)
      } else if (entry.name === MODEL_SETTINGS_FILE) {
        found.push(full)
      }
    }
  }
  await walk(root)
  return found.sort()
}

/** Best-effort name and version of a file that failed validation, so its error can be listed under that model. */
function guessIdentity(file: string): {name: string; version?: string} {
  const fallback = {name: path.basename(path.dirname(file))}
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as {name?: unknown; parameters?: {version?: unknown}}
    return {
      name: typeof raw.name === 'string' && raw.name !== '' ? raw.name : fallback.name,
      version: typeof raw.parameters?.version === 'string' ? raw.parameters.version : undefined,
    }
  } catch {
    return fallback
  }
}

export function readModelSpec(file: string): ModelSpec {
  try {
    const {settings, warnings} = loadModelSettings(file)
    return {ok: true, name: settings.name, version: settings.version, file, settings, warnings}
  } catch (error) {
    return {ok: false, ...guessIdentity(file), file, error: (error as Error).message}
  }
}

/**
 * Every model-settings.json below root; when there is none, the one model MLS_MODEL_* describes (if any). `logger`
 * hears of folders that cannot be read.
 */
export async function discoverModels(root: string, env: NodeJS.ProcessEnv = process.env, logger?: Pick<Logger, 'warn'>): Promise<ModelSpec[]> {
  const specs = (await findModelSettingsFiles(root, logger)).map(readModelSpec)
  if (specs.length > 0) return specs
  const fromEnv = readEnvModel(root, env)
  return fromEnv === undefined ? [] : [fromEnv]
}
