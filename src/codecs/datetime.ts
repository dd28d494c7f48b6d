/** `datetime`: BYTES elements holding ISO-8601 text, as Dates. As MLServer's DatetimeCodec. */
import type {Tensor} from '../protocol/types.js'
import type {InputCodec} from './codec.js'
import {decodeError, encodeError} from './codec-error.js'
import {parseIso8601} from './iso-8601.js'
import {elementsAsText, isListOf, listOf, textTensor} from './strings.js'

const CONTENT_TYPE = 'datetime'
const isDate = (v: unknown): v is Date => v instanceof Date
const isDateOrText = (v: unknown): v is Date | string => v instanceof Date || typeof v === 'string'

export const DatetimeCodec: InputCodec<Date[]> = {
  contentType: CONTENT_TYPE,
  canEncode: (value) => isListOf(value, isDate),
  /** One Date per element; a 400 for a datatype other than BYTES or text that is not an ISO-8601 date-time. */
  decode(tensor: Tensor): Date[] {
    return elementsAsText(CONTENT_TYPE, tensor).map((text, i) => {
      const date = parseIso8601(text)
      if (date === undefined) throw decodeError('INVALID_DATA', CONTENT_TYPE, tensor, `element ${i} (${JSON.stringify(text.slice(0, 40))}) is not an ISO-8601 date-time`)
      return date
    })
  },
  /** Dates are sent as ISO-8601 UTC text (toISOString); strings are sent as they are once they read as ISO-8601. */
  encode(name: string, value: Array<Date | string>): Tensor {
    const fail = (message: string): never => {
      throw encodeError(CONTENT_TYPE, name, message)
    }
    const {shape, flat} = listOf(value, isDateOrText, 'Dates', fail)
    const texts = flat.map((v, i) => {
      if (typeof v === 'string') return parseIso8601(v) === undefined ? fail(`element ${i} is not ISO-8601 text`) : v
      return Number.isNaN(v.getTime()) ? fail(`element ${i} is an invalid Date`) : v.toISOString()
    })
    return textTensor(name, CONTENT_TYPE, shape, texts)
  },
}
