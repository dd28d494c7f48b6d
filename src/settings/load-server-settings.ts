/**
 * Server settings from their four sources, parsed once: flags > env (MLS_*, then MLSERVER_*) > settings.json >
 * defaults. Each source is validated on its own so an error names where the bad value came from.
 */
import {accessSync, constants, existsSync, readFileSync, statSync} from 'node:fs'
import {createSecureContext} from 'node:tls'
import path from 'node:path'
import {SettingsError} from '../errors.js'
import {formatIssue} from '../util/zod-issues.js'
import {unknownKeyWarnings} from './did-you-mean.js'
import {readJsonObject} from './read-json-file.js'
import {
  IGNORED_SERVER_KEYS,
  PATH_FIELDS,
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
  /** Check that the TLS files are readable and make a key pair (default true; a client reading the ports skips it). */
  readonly checkFiles?: boolean
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
    // formatIssue starts with the path inside the field (`allow_origins[0]: ...`) when there is one.
    if (rest.length > 0) return `${name(String(field))}${typeof rest[0] === 'number' ? '' : '.'}${message}`
    return `${name(String(field))}: ${message}`
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
    resolvePaths(fileLayer, settingsDir)
  }

  const env = readEnvLayer(sources.env ?? process.env)
  const envName = (field: string) => `environment variable ${env.names.get(field) ?? field}`
  const envLayer = resolvePaths(parseLayer(env.raw, envName), cwd)

  const flagsRaw = Object.fromEntries(Object.entries(sources.flags ?? {}).filter(([, value]) => value !== undefined))
  const flagName = (field: string) => `flag --${field.replaceAll('_', '-')}`
  const flagLayer = resolvePaths(parseLayer(flagsRaw, flagName), cwd)

  const merged = {...SERVER_DEFAULTS, ...fileLayer, ...envLayer, ...flagLayer}
  merged.model_repository_root = root ?? path.resolve(cwd, merged.model_repository_root)
  // Where a field's value came from, for the messages of the checks below.
  const origin = (field: keyof ServerSettingsLayer): string => {
    if (flagLayer[field] !== undefined) return flagName(field)
    if (envLayer[field] !== undefined) return envName(field)
    if (fileLayer[field] !== undefined) return `${file}: ${field}`
    return field
  }
  checkTls(merged, origin, sources.checkFiles ?? true)
  const token = merged.repository_auth_token
  if (token !== null && token.length < MIN_TOKEN_LENGTH) {
    warnings.push(`${origin('repository_auth_token')}: the token is ${token.length} characters long; use a long random one, e.g. \`openssl rand -hex 32\``)
  }
  return {settings: Object.freeze(merged), file, warnings}
}

/** Shorter repository tokens are accepted with a warning: they can be guessed. */
const MIN_TOKEN_LENGTH = 16

function resolvePaths(layer: ServerSettingsLayer, folder: string): ServerSettingsLayer {
  for (const field of PATH_FIELDS) {
    const value = layer[field]
    if (typeof value === 'string') layer[field] = path.resolve(folder, value)
  }
  return layer
}

/** ssl_certfile and ssl_keyfile: both or neither, each a readable file. */
function checkTls(settings: ServerSettingsLayer, origin: (field: keyof ServerSettingsLayer) => string, checkFiles: boolean): void {
  const cert = settings.ssl_certfile ?? null
  const key = settings.ssl_keyfile ?? null
  if ((cert === null) !== (key === null)) {
    const [given, missing] = cert === null ? (['ssl_keyfile', 'ssl_certfile'] as const) : (['ssl_certfile', 'ssl_keyfile'] as const)
    throw new SettingsError(`${origin(given)}: TLS needs both ssl_certfile and ssl_keyfile; ${missing} is not set`)
  }
  if (cert === null || key === null || !checkFiles) return
  for (const field of ['ssl_certfile', 'ssl_keyfile'] as const) {
    const file = settings[field]
    if (file === null || file === undefined) continue
    let problem: string | undefined
    try {
      if (!statSync(file).isFile()) problem = 'is not a file'
      else accessSync(file, constants.R_OK)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      problem = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`
    }
    if (problem !== undefined) throw new SettingsError(`${origin(field)}: ${file} ${problem}; expected a PEM ${field === 'ssl_certfile' ? 'certificate' : 'private key'} file`)
  }
  try {
    createSecureContext({cert: readFileSync(cert), key: readFileSync(key)})
  } catch (error) {
    throw new SettingsError(
      `${origin('ssl_certfile')} (${cert}) and ${origin('ssl_keyfile')} (${key}): expected a PEM certificate and its private key; ${(error as Error).message}`,
    )
  }
}
