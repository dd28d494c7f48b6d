import {describe, expect, it} from 'vitest'
import {requestTimeoutOptions} from '../../../src/server/rest/request-timeouts.js'
import {refusalAnswer, refusalOf} from '../../../src/server/rest/client-error.js'

describe('requestTimeoutOptions', () => {
  it('the defaults: 60 s headers, 300 s in all, checked every second, TLS handshake bounded as the headers', () => {
    expect(requestTimeoutOptions({request_headers_timeout: 60, request_timeout: 300})).toEqual({headersTimeout: 60_000, requestTimeout: 300_000, connectionsCheckingInterval: 1000, handshakeTimeout: 60_000})
  })
  it('short limits are checked a tenth as often, never more often than every 50 ms', () => {
    expect(requestTimeoutOptions({request_headers_timeout: 1, request_timeout: 2}).connectionsCheckingInterval).toBe(100)
    expect(requestTimeoutOptions({request_headers_timeout: 0.1, request_timeout: 2}).connectionsCheckingInterval).toBe(50)
  })
  it('headers longer than the total (which Node refuses) or unbounded are bounded by the total', () => {
    expect(requestTimeoutOptions({request_headers_timeout: 60, request_timeout: 10})).toMatchObject({headersTimeout: 10_000, requestTimeout: 10_000})
    expect(requestTimeoutOptions({request_headers_timeout: 0, request_timeout: 10})).toMatchObject({headersTimeout: 10_000, requestTimeout: 10_000})
  })
  it('0 and 0: no limits, Node\'s TLS handshake default', () => {
    expect(requestTimeoutOptions({request_headers_timeout: 0, request_timeout: 0})).toEqual({headersTimeout: 0, requestTimeout: 0, connectionsCheckingInterval: 1000, handshakeTimeout: 120_000})
  })
})

describe("Node's refusals in the catalogue", () => {
  const error = (code: string) => Object.assign(new Error(code), {code})
  it('timeouts, oversized headers and malformed requests get their codes', () => {
    expect(refusalOf(error('ERR_HTTP_REQUEST_TIMEOUT')).code).toBe('REQUEST_TIMEOUT')
    expect(refusalOf(error('HPE_HEADER_OVERFLOW')).code).toBe('HEADERS_TOO_LARGE')
    expect(refusalOf(error('HPE_INVALID_METHOD')).code).toBe('INVALID_REQUEST')
  })
  it('the answer is a whole HTTP response with a JSON body and Connection: close', () => {
    const answer = refusalAnswer(refusalOf(error('HPE_HEADER_OVERFLOW')))
    const [head, body] = answer.split('\r\n\r\n')
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
    expect(head).toContain('connection: close')
    expect(head).toContain(`content-length: ${Buffer.byteLength(body)}`)
    expect(JSON.parse(body)).toEqual({code: 'HEADERS_TOO_LARGE', error: expect.stringContaining('header size limit')})
  })
})
