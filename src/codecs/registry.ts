/**
 * The content types mls knows: np, str, base64, datetime for inputs; np, str, pd for whole requests. A runtime adds
 * its own with registerInputCodec / registerRequestCodec (from load(), say); registering a content type again
 * replaces its codec. When a value is encoded without a content type, the codec is chosen by the value: the most
 * recently registered codec that can encode it wins, so a runtime's codec comes before the built-ins.
 */
import {Base64Codec} from './base64.js'
import type {InputCodec, RequestCodec} from './codec.js'
import {DatetimeCodec} from './datetime.js'
import {NumpyCodec, NumpyRequestCodec} from './numpy.js'
import {PandasCodec} from './pandas.js'
import {StringCodec, StringRequestCodec} from './string.js'

function check(codec: {contentType?: unknown}, methods: readonly string[], kind: string): void {
  if (typeof codec?.contentType !== 'string' || codec.contentType === '') throw new TypeError(`${kind}: contentType must be a non-empty string`)
  const missing = methods.filter((m) => typeof (codec as Record<string, unknown>)[m] !== 'function')
  if (missing.length > 0) throw new TypeError(`${kind} "${codec.contentType}": missing ${missing.join(', ')}`)
}

export class CodecRegistry {
  private readonly inputs = new Map<string, InputCodec>()
  private readonly requests = new Map<string, RequestCodec>()

  registerInputCodec(codec: InputCodec): void {
    check(codec, ['canEncode', 'decode', 'encode'], 'input codec')
    this.inputs.delete(codec.contentType)
    this.inputs.set(codec.contentType, codec)
  }

  registerRequestCodec(codec: RequestCodec): void {
    check(codec, ['canEncode', 'decodeRequest', 'encodeResponse'], 'request codec')
    this.requests.delete(codec.contentType)
    this.requests.set(codec.contentType, codec)
  }

  inputCodec(contentType: string): InputCodec | undefined {
    return this.inputs.get(contentType)
  }

  requestCodec(contentType: string): RequestCodec | undefined {
    return this.requests.get(contentType)
  }

  /** The input codec that encodes `value` when no content type says which. */
  inputCodecFor(value: unknown): InputCodec | undefined {
    return [...this.inputs.values()].reverse().find((codec) => codec.canEncode(value))
  }

  /** The request codec that encodes `value` when no content type says which. */
  requestCodecFor(value: unknown): RequestCodec | undefined {
    return [...this.requests.values()].reverse().find((codec) => codec.canEncode(value))
  }

  /** The registered content types, for messages. */
  contentTypes(): {readonly input: string[]; readonly request: string[]} {
    return {input: [...this.inputs.keys()], request: [...this.requests.keys()]}
  }

  /** A registry holding the built-in codecs only. */
  static withBuiltins(): CodecRegistry {
    const registry = new CodecRegistry()
    for (const codec of [NumpyCodec, StringCodec, Base64Codec, DatetimeCodec]) registry.registerInputCodec(codec as InputCodec)
    for (const codec of [NumpyRequestCodec, StringRequestCodec, PandasCodec]) registry.registerRequestCodec(codec as RequestCodec)
    return registry
  }
}

/** The registry decodeRequest and encodeResponse use unless given another. */
export const codecs = CodecRegistry.withBuiltins()

/** Adds (or replaces) an input-level content type in the default registry. */
export function registerInputCodec(codec: InputCodec): void {
  codecs.registerInputCodec(codec)
}

/** Adds (or replaces) a request-level content type in the default registry. */
export function registerRequestCodec(codec: RequestCodec): void {
  codecs.registerRequestCodec(codec)
}
