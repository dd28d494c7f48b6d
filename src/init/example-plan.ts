/** The plan for `init --example NAME`: a copy of examples/NAME/ without its training data and scripts. */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {failure} from '../cli/cli-error.js'
import {SERVER_DEFAULTS} from '../settings/server-settings.js'
import {EXAMPLES_DIR} from './package-paths.js'
import type {Plan, PlannedFile} from './plan.js'
import type {SettingsValues} from './templates.js'

/** The examples `--example` accepts. */
export const EXAMPLES = ['multi-model', 'custom-runtime'] as const

/** Top-level folders of an example that are not part of the model repository. */
const LEFT_OUT = new Set(['data', 'train'])

/** A model of the example, as its model-settings.json declares it. */
export interface ExampleModel {
  readonly name: string
  readonly version?: string
}

/** The plan, the example's models, and the REST port of the settings.json it writes (undefined when skipped). */
export interface ExamplePlan {
  readonly plan: Plan
  readonly models: readonly ExampleModel[]
  readonly httpPort?: number
}

/** What to copy: the target folder; settings overrides (flags) or `skipSettings` to leave settings.json out. */
export interface ExamplePlanOptions {
  readonly dir: string
  readonly skipSettings?: boolean
  readonly settings?: Partial<SettingsValues>
}

function listFiles(root: string, relative = ''): string[] {
  const entries = readdirSync(path.join(root, relative), {withFileTypes: true})
  return entries.flatMap((entry) => {
    const child = path.join(relative, entry.name)
    if (entry.isDirectory()) return relative === '' && LEFT_OUT.has(entry.name) ? [] : listFiles(root, child)
    return entry.isFile() ? [child] : []
  })
}

function readModel(file: string): ExampleModel {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {name?: string; parameters?: {version?: string}}
  return {name: raw.name ?? path.basename(path.dirname(file)), version: raw.parameters?.version}
}

/** The example's settings.json with the given fields replaced (the rest of the file as it is). */
function settingsWith(file: string, overrides: Partial<SettingsValues>): Record<string, unknown> {
  const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined))
  return {...settings, ...defined}
}

/** Lists the example's files; reads its settings.json and model-settings.json files, writes nothing. */
export function planExample(name: string, options: ExamplePlanOptions): ExamplePlan {
  const source = path.join(EXAMPLES_DIR, name)
  if (!existsSync(path.join(source, 'settings.json'))) {
    throw failure(`the example "${name}" is not in this installation (looked in ${source})`)
  }
  const hasOverrides = Object.values(options.settings ?? {}).some((value) => value !== undefined)
  const files: PlannedFile[] = []
  const models: ExampleModel[] = []
  let httpPort: number | undefined
  for (const relative of listFiles(source).sort()) {
    const from = path.join(source, relative)
    const target = path.join(options.dir, relative)
    if (relative === 'settings.json') {
      if (options.skipSettings) continue
      const settings = settingsWith(from, options.settings ?? {})
      httpPort = Number(settings.http_port ?? SERVER_DEFAULTS.http_port)
      files.push(hasOverrides ? {role: 'settings', target, content: `${JSON.stringify(settings, null, 2)}\n`} : {role: 'settings', target, copyFrom: from})
      continue
    }
    if (path.basename(relative) === 'model-settings.json') models.push(readModel(from))
    files.push({role: 'example', target, copyFrom: from})
  }
  // settings.json first, so a refusal names it first.
  files.sort((a, b) => Number(b.role === 'settings') - Number(a.role === 'settings'))
  return {plan: {dir: options.dir, files}, models, httpPort}
}
