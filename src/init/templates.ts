/** Renders the files in `templates/`: settings.json, model-settings/<runtime>.json and custom/model-settings.json. */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {failure} from '../cli/cli-error.js'
import {fillTemplate} from './fill-template.js'
import {TEMPLATES_DIR} from './package-paths.js'
import type {RuntimeName} from './runtimes.js'

/** The values of templates/settings.json. */
export interface SettingsValues {
  readonly host: string
  readonly http_port: number
  readonly grpc_port: number
  readonly metrics_port: number
}

/** The values of templates/model-settings/<runtime>.json; `uri` is used by the xgboost template only. */
export interface ModelSettingsValues {
  readonly name: string
  readonly version?: string
  readonly uri: string
}

function render(relative: string, values: Readonly<Record<string, string | number | undefined>>, dir: string): string {
  const file = path.join(dir, relative)
  let template: string
  try {
    template = readFileSync(file, 'utf8')
  } catch (error) {
    throw failure(`cannot read the template ${file}: ${(error as Error).message} (is the mls installation complete?)`)
  }
  try {
    return fillTemplate(template, values, file)
  } catch (error) {
    throw failure((error as Error).message)
  }
}

/** The text of a repository's settings.json. */
export function renderSettings(values: SettingsValues, dir = TEMPLATES_DIR): string {
  return render('settings.json', {host: values.host, http_port: values.http_port, grpc_port: values.grpc_port, metrics_port: values.metrics_port}, dir)
}

/** The text of a model's model-settings.json for `runtime`. */
export function renderModelSettings(runtime: RuntimeName, values: ModelSettingsValues, dir = TEMPLATES_DIR): string {
  const template = runtime === 'custom' ? path.join('custom', 'model-settings.json') : path.join('model-settings', `${runtime}.json`)
  // Every key explicitly: an absent optional one (version) is null, which drops it from the file.
  return render(template, {name: values.name, version: values.version, uri: values.uri}, dir)
}

/** The path of a file of templates/custom/ that is copied as it is (runtime.ts, test-set.json). */
export function customTemplate(name: string, dir = TEMPLATES_DIR): string {
  return path.join(dir, 'custom', name)
}
