/** Reads and validates one model-settings.json. */
import path from 'node:path'
import type {z} from 'zod'
import {SettingsError} from '../errors.js'
import {formatIssue} from '../util/zod-issues.js'
import {unknownKeyWarnings} from './did-you-mean.js'
import {
  IGNORED_MODEL_KEYS,
  IGNORED_MODEL_PARAMETER_KEYS,
  MODEL_PARAMETER_KEYS,
  MODEL_SETTINGS_KEYS,
  ignoredModelFieldsSchema,
  modelSettingsSchema,
  type ModelSettings,
} from './model-settings.js'
import {resolveLabels} from './model-labels.js'
import {readJsonObject} from './read-json-file.js'

export interface LoadedModelSettings {
  readonly settings: ModelSettings
  readonly warnings: readonly string[]
}

/** Throws SettingsError naming the file, the field, what was expected and what was found. */
export function loadModelSettings(file: string): LoadedModelSettings {
  const raw = readJsonObject(file)
  const folder = path.dirname(file)
  const warnings = unknownKeyWarnings(raw, MODEL_SETTINGS_KEYS, IGNORED_MODEL_KEYS, file)
  const rawParameters = raw.parameters
  if (rawParameters !== null && typeof rawParameters === 'object' && !Array.isArray(rawParameters)) {
    warnings.push(
      ...unknownKeyWarnings(
        rawParameters as Record<string, unknown>,
        MODEL_PARAMETER_KEYS,
        IGNORED_MODEL_PARAMETER_KEYS,
        `${file}: parameters`,
      ),
    )
  }

  const parsed = modelSettingsSchema.safeParse(raw)
  const ignored = ignoredModelFieldsSchema.safeParse(raw)
  const issues = [...(parsed.error?.issues ?? []), ...(ignored.error?.issues ?? [])]
  if (issues.length > 0 || !parsed.success) {
    throw new SettingsError(`${file}: ${issues.map((issue) => formatIssue(issue, raw)).join('; ')}`)
  }

  const settings = toModelSettings(parsed.data, {source: file, folder, defaultName: path.basename(folder)})
  return {settings, warnings}
}

/**
 * Parsed model-settings fields as the frozen ModelSettings every part of mls reads: `uri` made absolute against
 * `folder`, `name` defaulted, a labels file read (SettingsError when it cannot be). Shared by model-settings.json files and the model the environment describes.
 */
export function toModelSettings(data: z.output<typeof modelSettingsSchema>, origin: {source: string; folder: string; defaultName: string}): ModelSettings {
  const parameters = data.parameters ?? {}
  return Object.freeze({
    name: data.name ?? origin.defaultName,
    implementation: data.implementation,
    platform: data.platform,
    versions: data.versions,
    inputs: data.inputs,
    outputs: data.outputs,
    maxBatchSize: data.max_batch_size,
    maxBatchTime: data.max_batch_time,
    parallelWorkers: data.parallel_workers ?? undefined,
    maxQueueSize: data.max_queue_size ?? undefined,
    inferTimeout: data.infer_timeout ?? undefined,
    pinned: data.pinned ?? false,
    memoryBytes: data.memory ?? undefined,
    version: parameters.version,
    uri: parameters.uri === undefined ? undefined : path.resolve(origin.folder, parameters.uri),
    format: parameters.format,
    contentType: parameters.content_type,
    extra: parameters.extra ?? {},
    labels: resolveLabels(parameters.labels, origin.source, origin.folder),
    source: origin.source,
    folder: origin.folder,
  })
}
