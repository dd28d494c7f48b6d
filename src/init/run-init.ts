/** `mls init` as a library call: resolve the model, plan the files, refuse overwrites, write. */
import {statSync} from 'node:fs'
import path from 'node:path'
import {failure, usageError} from '../cli/cli-error.js'
import {SERVER_DEFAULTS} from '../settings/server-settings.js'
import {checkConflicts} from './conflicts.js'
import {displayPath} from './display-path.js'
import {planExample, type ExampleModel} from './example-plan.js'
import {planModel} from './model-plan.js'
import type {Prompter} from './prompter.js'
import {checkModelRequest, completeModel, type ModelRequest} from './resolve-model.js'
import type {RuntimeName} from './runtimes.js'
import type {SettingsValues} from './templates.js'
import {writePlan} from './write-plan.js'

/** Everything `init` needs; the command builds this from its flags. */
export interface InitOptions {
  /** The repository folder as given (created when missing). */
  readonly dir: string
  readonly force?: boolean
  /** Leave settings.json alone: add a model to an existing repository. */
  readonly skipSettings?: boolean
  /** Copy this bundled example instead of scaffolding a model. */
  readonly example?: string
  readonly model?: ModelRequest
  /** settings.json fields from flags; the rest are mls's defaults. */
  readonly settings?: Partial<SettingsValues>
  /** Asks for a missing name or runtime; without it the defaults are used. */
  readonly prompter?: Prompter
}

/** What `init` did. Paths are absolute. */
export interface InitResult {
  readonly dir: string
  readonly files: readonly string[]
  readonly settingsSkipped: boolean
  /** The REST port in the settings.json written (undefined when settings.json was skipped). */
  readonly httpPort?: number
  /** The scaffolded model (not set for an example). */
  readonly model?: ScaffoldedModel
  readonly example?: {readonly name: string; readonly models: readonly ExampleModel[]}
}

/** A model `init` scaffolded. */
export interface ScaffoldedModel {
  readonly name: string
  readonly runtime: RuntimeName
  readonly version?: string
  /** Where the model file is (copied there), or must be put by the user (when `source` is undefined); custom: runtime.ts. */
  readonly file: string
  /** The `--model-file` it was copied from. */
  readonly source?: string
  /** Where `source` was copied to, when that is not `file` (a custom model keeps the file's own name beside runtime.ts). */
  readonly copiedTo?: string
}

function checkDir(dir: string): void {
  let isDirectory: boolean
  try {
    isDirectory = statSync(dir).isDirectory()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw failure(`cannot read ${displayPath(dir)}: ${(error as Error).message}`)
  }
  if (!isDirectory) throw usageError(`${displayPath(dir)} exists and is not a folder`)
}

function settingsValues(flags: Partial<SettingsValues> = {}): SettingsValues {
  return {
    host: flags.host ?? SERVER_DEFAULTS.host,
    http_port: flags.http_port ?? SERVER_DEFAULTS.http_port,
    grpc_port: flags.grpc_port ?? SERVER_DEFAULTS.grpc_port,
    metrics_port: flags.metrics_port ?? SERVER_DEFAULTS.metrics_port,
  }
}

/** Scaffolds the repository. Throws CliError (usage: exit 2, failure: exit 1) with a message for the user. */
export async function runInit(options: InitOptions): Promise<InitResult> {
  const dir = path.resolve(options.dir)
  const force = options.force ?? false
  const settingsSkipped = options.skipSettings ?? false
  checkDir(dir)
  if (options.example !== undefined) {
    const {plan, models, httpPort} = planExample(options.example, {dir, skipSettings: settingsSkipped, settings: options.settings})
    const files = writePlan(checkConflicts(plan, force))
    return {dir, files, settingsSkipped, httpPort, example: {name: options.example, models}}
  }
  const checked = checkModelRequest(options.model ?? {})
  // Refuse an existing settings.json before asking anything.
  const settingsFile = path.join(dir, 'settings.json')
  if (!settingsSkipped) checkConflicts({dir, files: [{role: 'settings', target: settingsFile, content: ''}]}, force)
  const model = await completeModel(checked, options.prompter)
  const settings = settingsSkipped ? undefined : settingsValues(options.settings)
  const {plan, modelFile, copiedTo} = planModel({dir, model, settings})
  const files = writePlan(checkConflicts(plan, force))
  return {
    dir,
    files,
    settingsSkipped,
    httpPort: settings?.http_port,
    model: {name: model.name, runtime: model.runtime, version: model.version, file: modelFile, source: model.modelFile, ...(copiedTo === undefined || copiedTo === modelFile ? {} : {copiedTo})},
  }
}
