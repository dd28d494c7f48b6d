/**
 * One model described by the environment, as MLServer's `MLSERVER_MODEL_*`: used when the repository has no
 * model-settings.json (KServe mounts a bare model file at /mnt/models). `MLS_MODEL_*` wins over `MLSERVER_MODEL_*`.
 */
import path from 'node:path'
import {formatIssue} from '../util/zod-issues.js'
import {toModelSettings} from '../settings/load-model-settings.js'
import {modelSettingsSchema} from '../settings/model-settings.js'
import type {ModelSpec} from './discover.js'

/** The model fields read from the environment, and the model-settings.json path each fills. */
export const ENV_MODEL_FIELDS = {NAME: ['name'], IMPLEMENTATION: ['implementation'], URI: ['parameters', 'uri'], VERSION: ['parameters', 'version']} as const
export type EnvModelField = keyof typeof ENV_MODEL_FIELDS
/** Prefixes in precedence order. */
export const ENV_MODEL_PREFIXES = ['MLS_MODEL_', 'MLSERVER_MODEL_'] as const
/** Every variable name read, e.g. MLS_MODEL_NAME. */
export const ENV_MODEL_VARIABLES = ENV_MODEL_PREFIXES.flatMap((prefix) => Object.keys(ENV_MODEL_FIELDS).map((field) => prefix + field))
/** Where an environment model's errors say it came from. */
export const ENV_MODEL_SOURCE = 'environment (MLS_MODEL_*)'
const DEFAULT_NAME = 'model'

/** The value of each field that is set (non-empty), with the variable it came from. */
function readFields(env: NodeJS.ProcessEnv): Map<EnvModelField, {value: string; variable: string}> {
  const found = new Map<EnvModelField, {value: string; variable: string}>()
  for (const field of Object.keys(ENV_MODEL_FIELDS) as EnvModelField[]) {
    for (const prefix of ENV_MODEL_PREFIXES) {
      const value = env[prefix + field]
      if (value === undefined || value === '') continue
      found.set(field, {value, variable: prefix + field})
      break
    }
  }
  return found
}

/** True when any MLS_MODEL_* / MLSERVER_MODEL_* model variable is set. */
export function hasEnvModel(env: NodeJS.ProcessEnv = process.env): boolean {
  return readFields(env).size > 0
}

/**
 * The model the environment describes, as a ModelSpec like a parsed model-settings.json; undefined when no variable is
 * set. The URI is relative to the repository root (or absolute); the name defaults to the URI's base name, else "model".
 * A bad value gives a failed spec whose error names the variable.
 */
export function readEnvModel(root: string, env: NodeJS.ProcessEnv = process.env): ModelSpec | undefined {
  const fields = readFields(env)
  if (fields.size === 0) return undefined
  const get = (field: EnvModelField) => fields.get(field)?.value
  const uri = get('URI')
  const fallbackName = uri === undefined ? DEFAULT_NAME : path.basename(uri, path.extname(uri)) || DEFAULT_NAME
  const raw = {
    name: get('NAME') ?? fallbackName,
    ...(get('IMPLEMENTATION') === undefined ? {} : {implementation: get('IMPLEMENTATION')}),
    parameters: {
      ...(uri === undefined ? {} : {uri}),
      ...(get('VERSION') === undefined ? {} : {version: get('VERSION')}),
    },
  }
  const file = path.join(root, `(${ENV_MODEL_SOURCE})`)
  const parsed = modelSettingsSchema.safeParse(raw)
  if (!parsed.success) {
    const error = parsed.error.issues
      .map((issue) => {
        const field = (Object.keys(ENV_MODEL_FIELDS) as EnvModelField[]).find((key) => ENV_MODEL_FIELDS[key].every((part, i) => issue.path[i] === part))
        const variable = field === undefined ? ENV_MODEL_SOURCE : (fields.get(field)?.variable ?? `MLS_MODEL_${field}`)
        if (field === undefined) return `${ENV_MODEL_SOURCE}: ${formatIssue(issue, raw)}`
        return `environment variable ${variable}: ${formatIssue({...issue, path: []}, fields.get(field)?.value)}`
      })
      .join('; ')
    return {ok: false, name: raw.name, version: get('VERSION'), file, error}
  }
  const settings = toModelSettings(parsed.data, {source: ENV_MODEL_SOURCE, folder: root, defaultName: fallbackName})
  return {ok: true, name: settings.name, version: settings.version, file, settings, warnings: []}
}
