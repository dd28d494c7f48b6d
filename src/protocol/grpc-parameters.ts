/** gRPC InferParameter maps <-> plain parameter objects (shared by the server adapter and the client). */
import type {InferParameterMap, InferParameterMessage} from './grpc-messages.js'
import type {Parameters} from './types.js'

export function fromInferParameters(map: InferParameterMap | undefined): Record<string, unknown> | undefined {
  if (map === undefined || map === null) return undefined
  // A loop, not Object.entries: most requests carry no parameters, and then nothing is allocated.
  let out: Record<string, unknown> | undefined
  for (const key in map) {
    if (!Object.hasOwn(map, key)) continue
    const p = map[key]
    ;(out ??= {})[key] = p.parameter_choice ? p[p.parameter_choice as keyof InferParameterMessage] : undefined
  }
  return out
}

function toInferParameter(value: unknown): InferParameterMessage {
  if (typeof value === 'boolean') return {bool_param: value}
  if (typeof value === 'number') return Number.isInteger(value) ? {int64_param: value} : {double_param: value}
  if (typeof value === 'string') return {string_param: value}
  return {string_param: JSON.stringify(value)}
}

export function toInferParameters(parameters: Parameters | undefined): InferParameterMap {
  if (parameters === undefined) return {}
  return Object.fromEntries(Object.entries(parameters).map(([key, value]) => [key, toInferParameter(value)]))
}
