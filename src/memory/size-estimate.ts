/**
 * A version's memory before its first load, from the bytes of its files on disk: the budget needs a size to decide
 * whether a load may start, and the load's measurement (measured-gain.ts) only exists afterwards. The estimate is
 * replaced by the measurement once the version has loaded.
 *
 * The factors are PLACEHOLDERS, not measurements: they must be measured on our runtimes (load each kind of model of
 * several sizes alone in a fresh process, take measuredGain / file bytes, and fit factor and base) and this table
 * updated with the command that reproduced them. Until then they err on the large side, which only makes the first
 * load of a version evict more than it needed; with one estimated load at a time (memory-budget.ts) an estimate too
 * small overshoots the budget by at most that one model.
 */
import {readdir, realpath, stat} from 'node:fs/promises'
import path from 'node:path'

/** The runtimes whose memory grows differently with their files. */
export type RuntimeKind = 'onnx' | 'sklearn' | 'xgboost' | 'custom'

/** Estimated memory = ceil(file bytes × factor) + base bytes (the runtime's fixed cost per loaded model). */
export interface MemoryFactor {
  readonly factor: number
  readonly baseBytes: number
}

/** PLACEHOLDERS, to be measured (see above). */
export const RUNTIME_MEMORY_FACTORS: Readonly<Record<RuntimeKind, MemoryFactor>> = {
  // onnxruntime keeps the graph's initializers, its optimized copy, and per-session arenas.
  onnx: {factor: 2, baseBytes: 1024 * 1024},
  // An ONNX graph on onnxruntime, as onnx.
  sklearn: {factor: 2, baseBytes: 1024 * 1024},
  // A JSON / UBJSON forest parsed into JS objects and typed arrays: objects cost more than their text.
  xgboost: {factor: 3, baseBytes: 256 * 1024},
  // Unknown: a guess.
  custom: {factor: 2, baseBytes: 1024 * 1024},
}

/** The kind for a runtime name (`onnx`, `sklearn`, `xgboost` as the runtime registry resolves them); others are custom. */
export function runtimeKind(runtime: string | undefined): RuntimeKind {
  return runtime === 'onnx' || runtime === 'sklearn' || runtime === 'xgboost' ? runtime : 'custom'
}

/** The estimate for `fileBytes` of model files served by a runtime of `kind`. */
export function estimateBytes(fileBytes: number, kind: RuntimeKind, factors = RUNTIME_MEMORY_FACTORS): number {
  const {factor, baseBytes} = factors[kind]
  return Math.ceil(Math.max(0, fileBytes) * factor) + baseBytes
}

/**
 * The bytes of the files at `target`: a file's size, or the sum of the regular files below a folder (symbolic links
 * followed, each folder once; entries starting with "." and `node_modules` skipped, as discovery skips them). Other
 * files in a model's folder (test sets, READMEs) count too: an overestimate. What cannot be read counts 0: a missing
 * model fails its load with a clearer reason than an estimate could give.
 */
export async function filesBytes(target: string): Promise<number> {
  const seen = new Set<string>()
  const walk = async (where: string): Promise<number> => {
    let info
    try {
      info = await stat(where)
    } catch {
      return 0
    }
    if (info.isFile()) return info.size
    if (!info.isDirectory()) return 0
    const real = await realpath(where).catch(() => where)
    if (seen.has(real)) return 0
    seen.add(real)
    const names = await readdir(where).catch(() => [] as string[])
    let total = 0
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules') continue
      total += await walk(path.join(where, name))
    }
    return total
  }
  return walk(target)
}

/** The estimate for the model at `target` (its uri, or its folder). */
export async function estimateModelMemory(target: string, kind: RuntimeKind): Promise<number> {
  return estimateBytes(await filesBytes(target), kind)
}
