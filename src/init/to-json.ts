/** What `mls init --json` prints: plain JSON, absent values as null. */
import type {InitResult} from './run-init.js'

/** `{dir, files, model}` for a model, `{dir, files, example, models}` for an example; paths are absolute. */
export interface InitJson {
  dir: string
  files: string[]
  model?: {name: string; runtime: string; version: string | null; file: string; source: string | null}
  example?: string
  models?: Array<{name: string; version: string | null}>
}

/** The JSON form of a result. */
export function toJson(result: InitResult): InitJson {
  const json: InitJson = {dir: result.dir, files: [...result.files]}
  if (result.model !== undefined) {
    const {name, runtime, version, file, source} = result.model
    json.model = {name, runtime, version: version ?? null, file, source: source ?? null}
  }
  if (result.example !== undefined) {
    json.example = result.example.name
    json.models = result.example.models.map((m) => ({name: m.name, version: m.version ?? null}))
  }
  return json
}
