/** Reading `parameters.content_type`, and the options shared by decodeRequest and encodeResponse. */
import {MlsError} from '../errors.js'
import type {Parameters} from '../protocol/types.js'
import type {ContentTypeDefaults, TaggedTensor} from './codec.js'
import {describe} from './codec-error.js'
import {codecs, type CodecRegistry} from './registry.js'

/** Defaults from model-settings.json (a runtime's ModelSettings fits) and the registry to use (default: `codecs`). */
export interface CodecOptions extends ContentTypeDefaults {
  readonly registry?: CodecRegistry
}

/** `parameters.content_type`, or undefined when absent or empty; a 400 (naming `where`) when it is not a string. */
export function contentTypeOf(parameters: Parameters | undefined, where: string): string | undefined {
  const value = parameters?.content_type
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new MlsError('INVALID_REQUEST', `${where}: parameters.content_type must be a string, found ${describe(value)}`)
  return value
}

/** The declared tensor named `name`, when the defaults declare one. */
export function declared(list: readonly TaggedTensor[] | undefined, name: string): TaggedTensor | undefined {
  return list?.find((tensor) => tensor.name === name)
}

export function registryOf(options: CodecOptions): CodecRegistry {
  return options.registry ?? codecs
}
