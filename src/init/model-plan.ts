/** The plan for one model: settings.json (unless skipped), models/<name>/model-settings.json and the copied model file. */
import path from 'node:path'
import type {Plan, PlannedFile} from './plan.js'
import type {ResolvedModel} from './resolve-model.js'
import {CUSTOM_FILES, modelFileName} from './runtimes.js'
import {customTemplate, renderModelSettings, renderSettings, type SettingsValues} from './templates.js'

/** What to scaffold: the repository folder (absolute), the model, and the settings (undefined: keep settings.json as is). */
export interface ModelPlanOptions {
  readonly dir: string
  readonly model: ResolvedModel
  readonly settings?: SettingsValues
}

/** The plan, and where the model file is (copied there, or to be put there by the user; a custom model's runtime.ts). */
export interface ModelPlan {
  readonly plan: Plan
  readonly modelFile: string
  /** Where `--model-file` is copied to, when given. */
  readonly copiedTo?: string
}

/** The folder a model's files go into: `<dir>/models/<name>`. */
export function modelFolder(dir: string, name: string): string {
  return path.join(dir, 'models', name)
}

/** Renders the templates for one model; reads them, writes nothing. */
export function planModel(options: ModelPlanOptions): ModelPlan {
  const {dir, model} = options
  const folder = modelFolder(dir, model.name)
  const fileName = modelFileName(model.runtime, model.modelFile)
  const files: PlannedFile[] = []
  if (options.settings !== undefined) {
    files.push({role: 'settings', target: path.join(dir, 'settings.json'), content: renderSettings(options.settings)})
  }
  // The xgboost template names its file (uri): the server would otherwise take model-settings.json for the model.
  const content = renderModelSettings(model.runtime, {name: model.name, version: model.version, uri: `./${fileName}`})
  files.push({role: 'model', target: path.join(folder, 'model-settings.json'), content})
  // A custom model gets a runtime that works as it is, and a test set for it.
  if (model.runtime === 'custom') for (const name of CUSTOM_FILES) files.push({role: 'model', target: path.join(folder, name), copyFrom: customTemplate(name)})
  const copiedTo = model.modelFile === undefined ? undefined : path.join(folder, fileName)
  if (model.modelFile !== undefined) files.push({role: 'model', target: copiedTo!, copyFrom: model.modelFile})
  const modelFile = model.runtime === 'custom' ? path.join(folder, 'runtime.ts') : path.join(folder, fileName)
  return {plan: {dir, files}, modelFile, copiedTo}
}
