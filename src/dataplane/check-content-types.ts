/**
 * `parameters.content_type` on a request and its inputs, checked for every model before a runtime sees it: a string,
 * a content type mls knows (built-in runtimes; a custom runtime's own codecs decide for it, since it may register
 * content types of its own), and `str` BYTES elements valid UTF-8 (binary and gRPC data can carry any bytes).
 */
import {codecs} from '../codecs/registry.js'
import {MlsError} from '../errors.js'
import {decodeUtf8Strict} from '../protocol/bytes.js'
import type {Parameters, Tensor, TensorMetadata} from '../protocol/types.js'
import {describeValue} from '../util/zod-issues.js'

function contentTypeOf(parameters: Parameters | undefined, where: string): string | undefined {
  const value = parameters?.content_type
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') {
    throw new MlsError('INVALID_REQUEST', `${where}: parameters.content_type: expected a string, found ${describeValue(value)}`)
  }
  return value
}

function checkKnown(contentType: string, level: 'input' | 'request', where: string): void {
  const known = codecs.contentTypes()[level]
  if (!known.includes(contentType)) {
    throw new MlsError('INVALID_REQUEST', `${where}: unknown content type "${contentType}"; ${level} content types: ${known.join(', ')}`)
  }
}

function checkUtf8(tensor: Tensor): void {
  if (tensor.datatype !== 'BYTES') return
  const elements = tensor.data as readonly Uint8Array[]
  for (let i = 0; i < elements.length; i++) {
    if (decodeUtf8Strict(elements[i]) === undefined) {
      throw new MlsError('INVALID_DATA', `input "${tensor.name}": content type "str": element ${i} is not valid UTF-8`)
    }
  }
}

export interface ContentTypeCheck {
  readonly parameters?: Parameters
  /** The decoded inputs. */
  readonly inputs: readonly Tensor[]
  /** The model input each was bound to, by position. */
  readonly targets: ReadonlyArray<TensorMetadata | undefined>
  /** False for a custom runtime: its codecs (which may include its own) judge content types. */
  readonly checkKnown: boolean
}

export function checkContentTypes({parameters, inputs, targets, checkKnown: known}: ContentTypeCheck): void {
  const requestType = contentTypeOf(parameters, 'request')
  if (requestType !== undefined && known) checkKnown(requestType, 'request', 'request')
  for (let i = 0; i < inputs.length; i++) {
    const tensor = inputs[i]
    const target = targets[i]
    // The common case, no content type anywhere, builds no message.
    if (tensor.parameters === undefined && target?.parameters === undefined && requestType === undefined) continue
    const where = `input "${tensor.name}"`
    const inputType = contentTypeOf(tensor.parameters, where) ?? contentTypeOf(target?.parameters, `model input "${target?.name}"`)
    if (inputType !== undefined && known) checkKnown(inputType, 'input', where)
    if (inputType === 'str' || (inputType === undefined && requestType === 'str')) checkUtf8(tensor)
  }
}
