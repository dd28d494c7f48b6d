/**
 * A version's memory before its first load, from the bytes of its files on disk: the budget needs a size to decide
 * whether a load may start, and the load's measurement (measured-gain.ts) only exists afterwards. The estimate is
 * replaced by the measurement once the version has loaded.
 *
 * The factors are measured (table below): they cover what the process gained on a first load of every model of 100 KB
 * or more, so they err on the large side, which only makes the first load of a version evict more than it needed;
 * with one estimated load at a time (memory-budget.ts) an estimate too small overshoots the budget by at most that one
 * model. A linear fit cannot be tight for XGBoost, whose gain per file byte falls with size (V8's heap grows in steps
 * while parsing): its estimate is ~5x too large for a 64 MB forest, corrected by the first load.
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

/**
 * Measured with `npm run build && node bench/tools/measure-model-memory.js` (node 20.20, onnxruntime-node 1.30, linux
 * x64, glibc malloc): each model loaded alone in a fresh `node --expose-gc` after a warm-up load of a tiny model of the
 * same kind, gain = max(RSS delta, heapUsed+external delta) after 3 inferences, both sampled after GCs. KiB:
 *
 *   kind (generated)          file     gain  ratio | B after A unloaded: rss gain | 10 held at once, each
 *   onnx MLP                   981     2048   2.09 |                        1280 | 1992 (2.03)
 *   onnx MLP                  3914     6784   1.73 |                        1152 |
 *   onnx MLP                 15641    27340   1.75 |                        7936 |
 *   onnx MLP                 62532   109196   1.75 |                        2476 |
 *   onnx bench/models/mlp     1176     2196   1.87 |                        1024 |
 *   sklearn TreeEnsemble        97     1408  14.57 |                         128 |
 *   sklearn TreeEnsemble       961    17920  18.64 |                        3584 | 9014 (9.38)
 *   sklearn TreeEnsemble      3996    72252  18.08 |                       20628 |
 *   sklearn TreeEnsemble     16337   250084  15.31 |                      113920 |
 *   sklearn TreeEnsemble     65745   857872  13.05 |                      598920 |
 *   sklearn mnist_sklearn (SVM) 186     768   4.14 |                         256 |
 *   xgboost JSON                99      512   5.15 |                         352 |
 *   xgboost JSON               976     7508   7.69 |                        4972 | 2025 (2.07)
 *   xgboost JSON              3912    14648   3.74 |                       16332 |
 *   xgboost JSON             15633    35352   2.26 |                       20536 |
 *   xgboost JSON             62542    54712   0.87 |                       20832 |
 *   xgboost UBJ                 99     1980  20.01 |                        2048 |
 *   xgboost UBJ                971     5948   6.13 |                        5120 | 2325 (2.40)
 *   xgboost UBJ               3886    15764   4.06 |                       16940 |
 *   xgboost UBJ              15540    45300   2.92 |                       43088 |
 *   xgboost UBJ              62166   142632   2.29 |                       31584 |
 *
 * Base: 50 copies of a ~1 KB model held at once cost 108 KiB each (onnx), 174 (sklearn, one tree), 54 (xgboost JSON),
 * 78 (UBJ). Files under 100 KB gain 0 to 2.4 MiB at random: V8 heap and malloc growth in steps, not the model. The
 * heapUsed+external delta sees nothing of onnxruntime (under 0.15 MiB for any ONNX model) and about 0.3 (JSON) to 0.45
 * (UBJ) x file bytes of an XGBoost forest (its typed arrays), where RSS sees 0.9 to 7.7 x (the parse's garbage, whose
 * pages V8 keeps). The first model of a kind in a process also pays onnxruntime's library, ~30 MiB, once.
 */
export const RUNTIME_MEMORY_FACTORS: Readonly<Record<RuntimeKind, MemoryFactor>> = {
  // onnxruntime keeps the initializers twice over (~1.75-2.1x); per session ~108 KiB.
  onnx: {factor: 2.25, baseBytes: 128 * 1024},
  // skl2onnx graphs on onnxruntime: tree ensembles (forests, boosting) cost 13-19x their file; SVMs and linear models far
  // less (4x), estimated large until measured.
  sklearn: {factor: 19, baseBytes: 256 * 1024},
  // mls's XGBoost runtime counts what it keeps itself (Runtime.memoryBytes: the forest's typed arrays, ~0.3-0.7x the
  // file), so the estimate only has to cover that until the first load; the RSS gains above also hold the parse's
  // garbage (0.9-7.7x), which V8 collects after the load.
  xgboost: {factor: 1, baseBytes: 64 * 1024},
  // Not measured: a custom runtime can hold anything; a guess, and `memory` in model-settings.json says better.
  custom: {factor: 2, baseBytes: 1024 * 1024},
}

/**
 * The least a loaded version holds per byte of its files, whatever a later load measures: the floor of versionSize
 * (measured-gain.ts). A load after an eviction reuses the freed pages (glibc keeps them), so its RSS gain can be near
 * 0 (an onnx 64 MB model measured 2.4 MiB the second time); for onnxruntime no V8 counter sees anything either.
 * Below every ratio measured for models of 100 KB or more (table above): onnx 1.73, sklearn 4.14 (SVM), xgboost 0.3
 * (the forest's typed arrays, which heapUsed+external sees anyway); custom: no floor.
 */
export const RUNTIME_MEMORY_FLOORS: Readonly<Record<RuntimeKind, number>> = {
  onnx: 1.5,
  sklearn: 2,
  xgboost: 0.25,
  custom: 0,
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

/** The floor for `fileBytes` of model files served by a runtime of `kind`: the least a later measurement may say. */
export function floorBytes(fileBytes: number, kind: RuntimeKind, floors = RUNTIME_MEMORY_FLOORS): number {
  return Math.ceil(Math.max(0, fileBytes) * floors[kind])
}

/** The estimate for the model at `target` (its uri, or its folder). */
export async function estimateModelMemory(target: string, kind: RuntimeKind): Promise<number> {
  return estimateBytes(await filesBytes(target), kind)
}
