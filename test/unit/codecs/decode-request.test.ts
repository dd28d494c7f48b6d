/** decodeRequest: which content type applies (request, input, model-settings defaults), and what it returns. */
import {describe, expect, it} from 'vitest'
import {decodeInput, decodeRequest} from '../../../src/codecs/decode-request.js'
import type {Table} from '../../../src/codecs/table.js'
import type {InferRequest} from '../../../src/protocol/types.js'
import {statusOf, wireTensor} from './helpers.js'

const text = wireTensor('text', 'BYTES', [1], ['hi'])
const when = wireTensor('when', 'BYTES', [1], ['2024-05-01T10:00:00Z'])
const x = wireTensor('x', 'FP64', [1, 2], [1, null])

describe('decodeRequest', () => {
  it('without content types: input name to NdArray', () => {
    const decoded = decodeRequest({id: '1', inputs: [x, text]})
    expect(Object.keys(decoded)).toEqual(['x', 'text'])
    expect(decoded.x).toMatchObject({datatype: 'FP64', shape: [1, 2]})
    expect(Number.isNaN((decoded.x as {data: Float64Array}).data[1])).toBe(true)
    expect(decoded.text).toMatchObject({datatype: 'BYTES', shape: [1]})
  })

  it("an input's own content type, else the declared input's in model-settings.json", () => {
    const request: InferRequest = {id: '1', inputs: [{...text, parameters: {content_type: 'str'}}, when]}
    const settings = {inputs: [{name: 'text', parameters: {content_type: 'base64'}}, {name: 'when', parameters: {content_type: 'datetime'}}]}
    expect(decodeRequest(request, settings)).toEqual({text: ['hi'], when: [new Date('2024-05-01T10:00:00Z')]})
  })

  it("the request's content type, else model-settings.json parameters.content_type", () => {
    const columns = {id: '1', inputs: [wireTensor('a', 'INT32', [2], [1, 2])]}
    expect(decodeRequest<Table>({...columns, parameters: {content_type: 'pd'}}).columns).toEqual(['a'])
    expect(decodeRequest<Table>(columns, {contentType: 'pd'}).columns).toEqual(['a'])
    expect(decodeRequest({id: '1', inputs: [text]}, {contentType: 'str'})).toEqual(['hi'])
    expect(decodeRequest({id: '1', inputs: [text], parameters: {content_type: 'np'}}, {contentType: 'str'})).toMatchObject({datatype: 'BYTES'})
  })

  it('refuses unknown content types, and one that is no request-level content type, with a 400', () => {
    const input = statusOf(() => decodeRequest({id: '1', inputs: [{...text, parameters: {content_type: 'tensor'}}]}))
    expect(input).toMatchObject({status: 400, code: 'INVALID_REQUEST'})
    expect(input.message).toBe('input "text": unknown content type "tensor"; input content types: np, str, base64, datetime')
    const request = statusOf(() => decodeRequest({id: '1', inputs: [text], parameters: {content_type: 'base64'}}))
    expect(request.message).toBe('request: content type "base64" is not a request-level content type; request content types: np, str, pd')
    const typed = statusOf(() => decodeRequest({id: '1', inputs: [text], parameters: {content_type: 3}}))
    expect(typed).toMatchObject({status: 400, message: 'request: parameters.content_type must be a string, found 3'})
  })

  it('a datatype the content type cannot read is a 400 whoever set the content type', () => {
    const error = statusOf(() => decodeRequest({id: '1', inputs: [x]}, {inputs: [{name: 'x', parameters: {content_type: 'str'}}]}))
    expect(error).toMatchObject({status: 400, code: 'INVALID_DATATYPE'})
  })

  it('keeps an input named like an Object.prototype member as a plain key', () => {
    const decoded = decodeRequest({id: '1', inputs: [wireTensor('__proto__', 'INT8', [1], [1])]})
    expect(Object.keys(decoded)).toEqual(['__proto__'])
  })
})

describe('decodeInput', () => {
  it('decodes one input by its content type, np by default', () => {
    expect(decodeInput({...text, parameters: {content_type: 'str'}})).toEqual(['hi'])
    expect(decodeInput(x)).toMatchObject({shape: [1, 2]})
  })
})
