/**
 * The two kinds of codec, as MLServer has them: an input codec turns one tensor into a friendly value and back (`np`,
 * `str`, `base64`, `datetime`); a request codec turns a whole request into one value and a value into a whole response
 * (`pd`, and `np` / `str` for single-tensor requests). Codecs are chosen by `parameters.content_type`.
 */
import type {Datatype} from '../protocol/datatypes.js'
import type {InferRequest, InferResult, Tensor} from '../protocol/types.js'

/** A hint for encoding: the datatype an output is declared with (model-settings.json outputs[].datatype). */
export interface EncodeHint {
  readonly datatype?: Datatype
}

/** Decodes one tensor to a value and encodes such a value back into a tensor (MLServer's InputCodec). */
export interface InputCodec<T = unknown> {
  /** The `parameters.content_type` this codec answers to. */
  readonly contentType: string
  /** True when `encode` takes this value: how an output without a content type finds its codec. */
  canEncode(value: unknown): boolean
  /** The tensor as a value; throws an MlsError (HTTP 400) for a datatype or data the codec cannot read. */
  decode(tensor: Tensor): T
  /** The value as a tensor named `name`, with `parameters.content_type` set as MLServer sets it. */
  encode(name: string, value: T, hint?: EncodeHint): Tensor
}

/** What a request codec is told when it encodes a response. */
export interface ResponseEncoding {
  /** The name for a single output: the model's only declared output, else MLServer's "output-1". */
  readonly outputName: string
  /** The declared datatype of that output, when there is one. */
  readonly hint?: EncodeHint
  /** The model's declared outputs (model-settings.json), for codecs that make several outputs. */
  readonly outputs?: readonly TaggedTensor[]
}

/** Decodes a whole request into one value and encodes one value into a whole response (MLServer's RequestCodec). */
export interface RequestCodec<T = unknown> {
  readonly contentType: string
  /** True when `encodeResponse` takes this value. */
  canEncode(value: unknown): boolean
  /**
   * The request as one value. `decoded` holds the inputs that have an input-level content type, already decoded by
   * their own codec (a `pd` column tagged `datetime` arrives as Dates).
   */
  decodeRequest(request: InferRequest, decoded: ReadonlyMap<string, unknown>): T
  encodeResponse(value: T, encoding: ResponseEncoding): InferResult
}

/** Tensor metadata as far as codecs read it: a name, and `parameters.content_type` as a default content type. */
export interface TaggedTensor {
  readonly name: string
  readonly datatype?: Datatype
  readonly parameters?: Readonly<Record<string, unknown>>
}

/**
 * Default content types, as MLServer takes them from model-settings.json: `contentType` is the request-level default
 * (`parameters.content_type`), `inputs[].parameters.content_type` / `outputs[].parameters.content_type` the per-tensor
 * ones. A runtime's ModelSettings fits this shape as it is.
 */
export interface ContentTypeDefaults {
  readonly contentType?: string
  readonly inputs?: readonly TaggedTensor[]
  readonly outputs?: readonly TaggedTensor[]
}
