/** onnxruntime session options from `parameters.extra` (MLServer-style snake_case keys). */
import type * as ort from 'onnxruntime-node'

const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const

function positiveInt(extra: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = extra[key]
  if (value === undefined) return fallback
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new Error(`parameters.extra.${key}: expected a non-negative integer, found ${JSON.stringify(value)}`)
  }
  return n
}

/**
 * Defaults suit small models on few cores: one intra-op thread (a thread pool costs more than it gives on tiny graphs,
 * measured in ../shared/docs/STACK.md). Raise `intra_op_num_threads` for heavy models.
 */
export function sessionOptions(extra: Readonly<Record<string, unknown>>): ort.InferenceSession.SessionOptions {
  const level = extra.graph_optimization_level ?? 'all'
  if (!OPTIMIZATION_LEVELS.includes(level as never)) {
    throw new Error(`parameters.extra.graph_optimization_level: expected one of ${OPTIMIZATION_LEVELS.join(', ')}, found ${JSON.stringify(level)}`)
  }
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: positiveInt(extra, 'intra_op_num_threads', 1),
    interOpNumThreads: positiveInt(extra, 'inter_op_num_threads', 1),
    graphOptimizationLevel: level as (typeof OPTIMIZATION_LEVELS)[number],
    logSeverityLevel: 3,
  }
}
