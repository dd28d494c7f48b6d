/** The error catalogue and the table in docs/api.md agree: every code documented, with the status REST answers. */
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {ERROR_CODES, MlsError, toMlsError} from '../../src/errors.js'
import {status} from '@grpc/grpc-js'
import {GRPC_STATUS, toServiceError} from '../../src/server/grpc/error-map.js'
import {HTTP_STATUS, toHttpError} from '../../src/server/rest/error-map.js'

const readme = readFileSync('docs/api.md', 'utf8')
const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| ([A-Z_]+) \|/gm)]
const documented = new Map(rows.map((m) => [m[1], Number(m[2])]))
const documentedGrpc = new Map(rows.map((m) => [m[1], m[3]]))

describe('error catalogue', () => {
  it('documents every code in docs/api.md with its HTTP and gRPC status, and nothing else', () => {
    for (const [code, {kind}] of Object.entries(ERROR_CODES)) {
      expect(documented.get(code), code).toBe(HTTP_STATUS[kind])
      expect(documentedGrpc.get(code), code).toBe(status[GRPC_STATUS[kind]])
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERROR_CODES).sort())
  })

  it('maps fastify\'s own errors into the catalogue and anything unknown to INTERNAL', () => {
    expect(toHttpError(Object.assign(new Error('too big'), {code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413}))).toMatchObject({
      status: 413,
      body: {code: 'PAYLOAD_TOO_LARGE'},
    })
    expect(toHttpError(new TypeError('boom'))).toMatchObject({status: 500, body: {code: 'INTERNAL', error: 'internal error: boom'}})
    expect(toHttpError(new MlsError('MODEL_NOT_READY', 'later')).status).toBe(503)
    expect(toHttpError(new MlsError('MODEL_NOT_READY', 'later')).headers).toBeUndefined()
    expect(toHttpError(new MlsError('QUEUE_FULL', 'full'))).toMatchObject({status: 503, headers: {'retry-after': '1'}})
    expect(toHttpError(new MlsError('MEMORY_EXHAUSTED', 'no room'))).toMatchObject({status: 503, headers: {'retry-after': '1'}})
    expect(toServiceError(new MlsError('MEMORY_EXHAUSTED', 'no room'))).toMatchObject({code: status.RESOURCE_EXHAUSTED})
    expect(toServiceError(new MlsError('MEMORY_EXHAUSTED', 'no room')).metadata!.get('grpc-retry-pushback-ms')).toEqual(['1000'])
    expect(toHttpError(new MlsError('INFER_TIMEOUT', 'late')).status).toBe(504)
    expect(toMlsError('x').code).toBe('INTERNAL')
  })
})
