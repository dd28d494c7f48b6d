/**
 * What a load cost in memory, from two samples of process.memoryUsage() around it, and which size the budget uses
 * for a version: stated, measured or estimated.
 *
 * Which fields, and why:
 * - `rss` is everything the process holds, so it sees onnxruntime's native allocations (which no V8 counter sees) and
 *   worker threads' heaps. But it is noisy: glibc keeps freed memory in its arenas, so a load after an eviction may
 *   reuse pages and grow RSS by nothing; a GC during the load may shrink it.
 * - `heapUsed + external` is what V8 knows the main thread holds: JS objects (an XGBoost forest parsed into objects)
 *   and memory bound to them (Buffers, ArrayBuffers, addons that report it). It misses native memory addons do not
 *   report, and counts garbage not yet collected.
 * - `arrayBuffers` is not added: it is already inside `external` (Node's docs), so adding it would count it twice.
 * The gain is the larger of the two deltas, never negative: each misses what the other sees, and neither is too
 * large by much more than garbage. A GC before each sample (global.gc under --expose-gc) makes both steadier.
 * The samples must frame one load alone: loads running at the same time land in each other's deltas.
 */

/** The fields of process.memoryUsage() a measurement reads. */
export type MemorySample = Pick<NodeJS.MemoryUsage, 'rss' | 'heapUsed' | 'external'>

/** The bytes a load gained between `before` and `after` (see the file's comment); 0 if nothing grew. */
export function measuredGain(before: MemorySample, after: MemorySample): number {
  const rss = after.rss - before.rss
  const v8 = after.heapUsed - before.heapUsed + (after.external - before.external)
  return Math.max(0, rss, v8)
}

/** Where a version's size came from: the index and metrics may show it. */
export type SizeSource = 'stated' | 'measured' | 'estimated'

/**
 * The size the budget uses for a version. A `memory` stated in model-settings.json wins over a measurement: a user
 * states it for a model whose load cannot be measured well (native memory a runtime allocates later, on first
 * inference), and knows better when they bother to. A measurement wins over the estimate from the files.
 */
export function chooseSize(sizes: {readonly stated?: number; readonly measured?: number; readonly estimated: number}): {bytes: number; source: SizeSource} {
  if (sizes.stated !== undefined) return {bytes: sizes.stated, source: 'stated'}
  if (sizes.measured !== undefined) return {bytes: sizes.measured, source: 'measured'}
  return {bytes: sizes.estimated, source: 'estimated'}
}

/** What the server knows of a version's size when it decides which one the budget uses (versionSize). */
export interface VersionSizes {
  /** `memory` in its model-settings.json. */
  readonly stated?: number
  /** measuredGain of the load that just finished, when that load ran alone (undefined otherwise). */
  readonly measuredNow?: number
  /** The size an earlier load of this version settled on in this process (versionSize's answer then), if any. */
  readonly measuredBefore?: number
  /** estimateBytes of its files. */
  readonly estimated: number
  /** floorBytes of its files: the least a loaded version of that runtime holds. */
  readonly floor: number
}

/**
 * The size the budget uses for a version, from everything known (bench/tools/measure-model-memory.js measured why):
 * - stated wins (as in chooseSize);
 * - else the largest measurement so far, this load's and earlier ones': a version never shrinks on a reload. The
 *   first load, usually into fresh memory, is the credible one; a load after an eviction reuses the freed pages glibc
 *   kept and gains little RSS (an onnx model of 64 MB: 107 MiB on its first load, 2.4 MiB on a reload), and for
 *   onnxruntime heapUsed+external sees nothing to make up for it (XGBoost's forest it does see);
 * - and never below the floor from its files, since even a first load may land in pages an eviction freed;
 * - with no measurement yet, the estimate.
 * A measurement above the estimate stands: the estimate was too small.
 */
export function versionSize(sizes: VersionSizes): {bytes: number; source: SizeSource} {
  if (sizes.stated !== undefined) return {bytes: sizes.stated, source: 'stated'}
  const measured = [sizes.measuredNow, sizes.measuredBefore].filter((n): n is number => n !== undefined)
  if (measured.length === 0) return {bytes: sizes.estimated, source: 'estimated'}
  return {bytes: Math.max(sizes.floor, ...measured), source: 'measured'}
}
