/** The human summary `init` prints: what was written, and what to run next. */
import path from 'node:path'
import {displayPath} from './display-path.js'
import type {InitResult, ScaffoldedModel} from './run-init.js'
import type {RuntimeName} from './runtimes.js'

const WHAT_TO_PUT: Readonly<Record<Exclude<RuntimeName, 'custom'>, string>> = {
  onnx: 'an ONNX graph',
  sklearn: 'the scikit-learn model exported to ONNX with skl2onnx (docs/runtimes.md: "For MLServer users")',
  xgboost: 'the XGBoost model saved with booster.save_model("model.json")',
}

/** True when the server answers for the model as soon as it starts: its file was copied, or it is custom. */
function servesAtOnce(model: ScaffoldedModel): boolean {
  return model.source !== undefined || model.runtime === 'custom'
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`
}

function modelLines(model: ScaffoldedModel, where: string, bin: string): string[] {
  const version = model.version === undefined ? 'no version' : `version ${model.version}`
  const lines = [`Model "${model.name}": runtime ${model.runtime}, ${version}.`]
  if (model.runtime === 'custom') {
    const folder = path.dirname(model.file)
    lines.push(
      `${displayPath(model.file)} serves it as written: it sums each row of the input "input". Make it yours (load, predict),`,
      `with its inputs and outputs in ${displayPath(path.join(folder, 'model-settings.json'))} and rows to check in ${displayPath(path.join(folder, 'test-set.json'))}.`,
      `While the server runs, ${bin} test --model ${model.name} --repo ${shellWord(where)} sends those rows and compares.`,
    )
  } else if (model.source === undefined) {
    lines.push(
      `Put the model file at ${displayPath(model.file)}: ${WHAT_TO_PUT[model.runtime]}.`,
      `Until then the server starts and lists "${model.name}" as UNAVAILABLE.`,
    )
  }
  return lines
}

/** The summary, several lines; `bin` is the command name to show (`mls`). */
export function summarize(result: InitResult, bin = 'mls'): string {
  const where = displayPath(result.dir)
  const what =
    result.example !== undefined ? `Copied the example "${result.example.name}" to` : result.settingsSkipped ? 'Added a model to the repository in' : 'Created a model repository in'
  const lines = [`${what} ${where}:`]
  for (const file of result.files) {
    const copy = result.model?.copiedTo ?? result.model?.file
    const from = result.model?.source !== undefined && file === copy ? ` (copied from ${displayPath(result.model.source)})` : ''
    lines.push(`  ${path.relative(result.dir, file)}${from}`)
  }
  if (result.settingsSkipped) lines.push('  (settings.json left as it is)')
  lines.push('')
  if (result.model !== undefined) lines.push(...modelLines(result.model, where, bin))
  if (result.example !== undefined) {
    const models = result.example.models.map((m) => (m.version === undefined ? m.name : `${m.name} (${m.version})`))
    lines.push(`Models: ${models.join(', ')}.`)
  }
  lines.push('', 'Next:', `  ${bin} start ${shellWord(where)}`)
  // A model without its file would only answer 404: the curl line is for a repository that serves.
  if (result.httpPort !== undefined && (result.model === undefined || servesAtOnce(result.model))) {
    const modelPath = result.model === undefined ? '' : `/v2/models/${result.model.name}${result.model.version === undefined ? '' : `/versions/${result.model.version}`}`
    lines.push(
      result.model === undefined
        ? `  curl -s -X POST localhost:${result.httpPort}/v2/repository/index -d '{}'`
        : `  curl -s localhost:${result.httpPort}${modelPath}`,
    )
  }
  return lines.join('\n')
}
