/** The test set of a model: --dataset FILE, else test-set.json beside the model's model-settings.json in the repository. */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {discoverModels} from '../repository/discover.js'
import {defaultVersion} from '../repository/version-order.js'
import {usageError} from './cli-error.js'

export const TEST_SET_FILE = 'test-set.json'

export async function findTestSet(options: {dataset?: string; repo?: string; model: string; version?: string}): Promise<string> {
  if (options.dataset !== undefined) return path.resolve(options.dataset)
  const root = path.resolve(options.repo ?? '.')
  const specs = (await discoverModels(root)).filter((spec) => spec.name === options.model)
  if (specs.length === 0) {
    throw usageError(`no model-settings.json below ${root} names model "${options.model}"; run in the model repository, or give --repo DIR or --dataset FILE`)
  }
  const spec = options.version === undefined ? defaultVersion(specs)! : specs.find((s) => s.version === options.version)
  if (spec === undefined) {
    throw usageError(`model "${options.model}" has no version "${options.version}" below ${root} (versions: ${specs.map((s) => s.version ?? '(none)').join(', ')})`)
  }
  const file = path.join(path.dirname(spec.file), TEST_SET_FILE)
  if (!existsSync(file)) throw usageError(`no ${TEST_SET_FILE} beside ${spec.file}; give --dataset FILE`)
  return file
}
