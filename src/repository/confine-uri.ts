/**
 * The rule that a model's `parameters.uri` resolves inside the repository root, symbolic links followed: a
 * model-settings.json (or MLS_MODEL_URI) must not make the server read files from anywhere on the machine. The
 * server setting `allow_external_uris` lifts it.
 */
import path from 'node:path'
import {isInsideReal} from '../util/inside-root.js'
import {relativePath} from './client-paths.js'
import type {ModelSpec} from './discover.js'

/** `spec` as it is when its uri is inside `root` (or it has none); otherwise a failed spec whose error says why. */
export function confineUri(spec: ModelSpec, root: string): ModelSpec {
  if (!spec.ok || spec.settings.uri === undefined || isInsideReal(spec.settings.uri, root)) return spec
  const {uri, source} = spec.settings
  // Relative to the root, as clients may read it (the error is a reason in the index): "../../elsewhere/model.onnx".
  const written = path.relative(path.resolve(root), uri)
  const real = relativePath(root, uri)
  const where = written === real ? real : `${written} (which is ${real})`
  return {
    ok: false,
    name: spec.name,
    version: spec.version,
    file: spec.file,
    error: `${source}: parameters.uri: ${where} is outside the repository root; move the model inside the repository, or set allow_external_uris: true in settings.json`,
  }
}
