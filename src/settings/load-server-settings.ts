/**
 * Server settings from their four sources, parsed once: flags > env (MLS_*, then MLSERVER_*) > settings.json >
 * defaults. Each source is validated on its own so an error names where the bad value came from.
 */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {SettingsError} from '../errors.js'
import {formatPath, formatIssue} from '../util/zod-issues.js'
import {unknownKeyWarnings} from './did-you-mean.js'
import {readJsonObject} from './read-json-file.js'
import {
  IGNORED_SERVER_KEYS,
  SERVER_DEFAULTS,
  SERVER_SETTINGS_KEYS,
  serverSettingsLayerSchema,
  type ServerSettings,
  type ServerSettingsLayer,
} from './server-settings.js'

export interface ServerSettingsSources {
  /** `mls start DIR`: the repository root, and where settings.json is looked for. Default: `cwd`. */
  readonly root?: string
  /** Values from command-line flags, keyed by settings field. */
  readonly flags?: Record<string, unknown>
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

export interface LoadedServerSettings {
  readonly settings: ServerSettings
  /** The settings.json that was read, if any. */
  readonly file?: string
  /** Unknown keys and similar non-fatal findings, for the log. */
  readonly warnings: readonly string[]
}

/** Fields whose env value is JSON (a list or an object), as pydantic reads complex env values. */
const JSON_ENV_FIELDS = new Set(['extensions', 'cors_settings', 'logging_settings'])

function parseLayer(raw: Record<string, unknown>, name: (field: string) => string): ServerSettingsLayer {
  const result = serverSettingsLayerSchema.safeParse(raw)
  if (result.success) return result.data
  const messages = result.error.issues.map((issue) => {
    const [field, ...rest] = issue.path
    const message = formatIssue({...issue, path: rest}, raw[String(field)])
    const where = name(String(field)) + (rest.length > 0 ? ` ${formatPath(rest)}` : '')
    return `${where}: ${message}`
  })
  throw new SettingsError(messages.join('\n'))
}

export function readEnvLayer(env: NodeJS.ProcessEnv): {raw: Record<string, unknown>; names: Map<string, string>} {
  const raw: Record<string, unknown> = {}
  const names = new Map<string, string>()
  for (const field of SERVER_SETTINGS_KEYS) {
    for (const prefix of ['MLS_', 'MLSERVER_']) {
      const name = prefix + field.toUpperCase()
      const value = env[name]
      if (value === undefined || value === '') continue
      let parsed: unknown = value
      if (JSON_ENV_FIELDS.has(field) && /^\s*[[{]/.test(value)) {
        try {
          parsed = JSON.parse(value)
        } catch {
          throw new SettingsError(`${name}: expected JSON, found ${JSON.stringify(value)}`)
        }
      }
      raw[field] = parsed
      names.set(field, name)
      break
    }
  }
  return {raw, names}
}

export function loadServerSettings(sources: ServerSettingsSources = {}): LoadedServerSettings {
  const cwd = sources.cwd ?? process.cwd()
  const root = sources.root === undefined ? undefined : path.resolve(cwd, sources.root)
  const warnings: string[] = []

  const settingsDir = root ?? cwd
  const candidate = path.join(settingsDir, 'settings.json')
  let fileLayer: ServerSettingsLayer = {}
  let file: string | undefined
  if (existsSync(candidate)) {
    file = candidate
    const raw = readJsonObject(candidate)
    warnings.push(...unknownKeyWarnings(raw, SERVER_SETTINGS_KEYS, IGNORED_SERVER_KEYS, candidate))
    fileLayer = parseLayer(raw, (field) => `${candidate}: ${field}`)
    // Paths in a settings file are relative to that file's folder.
    if (fileLayer.model_repository_root !== undefined) {
      fileLayer.model_repository_root = path.resolve(settingsDir, fileLayer.model_repository_root)
    }
  }

  const env = readEnvLayer(sources.env ?? process.env)
  const envLayer = parseLayer(env.raw, (field) => `environment variable ${env.names.get(field) ?? field}`)

  const flagsRaw = Object.fromEntries(Object.entries(sources.flags ?? {}).filter(([, value]) => value !== undefined))
  const flagLayer = parseLayer(flagsRaw, (field) => `flag --${field.replaceAll('_', '-')}`)

  const merged = {...SERVER_DEFAULTS, ...fileLayer, ...envLayer, ...flagLayer}
  merged.model_repository_root = root ?? path.resolve(cwd, merged.model_repository_root)
  return {settings: Object.freeze(merged), file, warnings}
}
