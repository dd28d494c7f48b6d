/** The plan for one model: settings.json (unless skipped), models/<name>/model-settings.json and the copied model file. */
import path from 'node:path'
import type {Plan, PlannedFile} from './plan.js'
import type {ResolvedModel} from './resolve-model.js'
import {modelFileName} from './runtimes.js'
import {renderModelSettings, renderSettings, type SettingsValues} from './templates.js'

/** What to scaffold: the repository folder (absolute), the model, and the settings (undefined: keep settings.json as is). */
export interface ModelPlanOptions {
  readonly dir: string
  readonly model: ResolvedModel
  readonly settings?: SettingsValues
}

/** The plan, and where the model file is (copied there, or to be put there by the user). */
export interface ModelPlan {
  readonly plan: Plan
  readonly modelFile: string
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
  const modelFile = path.join(folder, fileName)
  if (model.modelFile !== undefined) files.push({role: 'model', target: modelFile, copyFrom: model.modelFile})
  return {plan: {dir, files}, modelFile}
}
