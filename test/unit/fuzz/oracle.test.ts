/** The fuzz oracle must be able to fail: each kind of malformed answer is named; well-formed ones pass. */
import * as grpc from '@grpc/grpc-js'
import {describe, expect, it} from 'vitest'
import {judgeGrpc, judgeRest} from '../../fuzz/oracle.js'
import {Prng} from '../../fuzz/prng.js'

const json = (status: number, body: unknown) => ({status, contentType: 'application/json; charset=utf-8', body: Buffer.from(JSON.stringify(body))})

describe('judgeRest', () => {
  it('passes a V2 response and a catalogue error with its own status', () => {
    expect(judgeRest(json(200, {model_name: 'm', id: 'i', outputs: [{name: 'y', datatype: 'FP32', shape: [1, 2], data: [1, 2]}]}))).toBeUndefined()
    expect(judgeRest(json(400, {error: 'bad', code: 'INVALID_DATA'}))).toBeUndefined()
    expect(judgeRest(json(413, {error: 'big', code: 'PAYLOAD_TOO_LARGE'}))).toBeUndefined()
  })

  it('names a 5xx, a framework error shape, an unknown code, a status the table does not give, and a short tensor', () => {
    expect(judgeRest(json(500, {error: 'boom', code: 'INTERNAL'}))).toMatch(/^status 500/)
    expect(judgeRest(json(414, {error: 'Bad Request', code: 'FST_ERR_MAX_PARAM_LENGTH', message: 'x', statusCode: 414}))).toMatch(/body keys \[code,error,message,statusCode\]/)
    expect(judgeRest(json(400, {error: 'x', code: 'NOPE'}))).toMatch(/unknown code "NOPE"/)
    expect(judgeRest(json(404, {error: 'x', code: 'INVALID_DATA'}))).toMatch(/INVALID_DATA with status 404 \(the table says 400\)/)
    expect(judgeRest(json(200, {model_name: 'm', id: 'i', outputs: [{name: 'y', datatype: 'FP32', shape: [3], data: [1]}]}))).toMatch(/1 values for shape \[3\]/)
    expect(judgeRest({status: 400, contentType: 'text/html', body: Buffer.from('<html>')})).toMatch(/content type "text\/html"/)
  })

  it('checks the binary extension: header length and byte counts', () => {
    const header = JSON.stringify({model_name: 'm', id: 'i', outputs: [{name: 'y', datatype: 'FP32', shape: [2], parameters: {binary_data_size: 8}}]})
    const answer = (tail: number) => ({status: 200, contentType: 'application/octet-stream', headerLength: String(header.length), body: Buffer.concat([Buffer.from(header), Buffer.alloc(tail)])})
    expect(judgeRest(answer(8))).toBeUndefined()
    expect(judgeRest(answer(4))).toMatch(/does not fit the body/)
    expect(judgeRest(answer(12))).toMatch(/4 binary bytes unaccounted for/)
  })
})

describe('judgeGrpc', () => {
  it('names INTERNAL, UNKNOWN, a missing mls-error-code and a status the table does not give', () => {
    expect(judgeGrpc({code: grpc.status.INTERNAL, details: 'boom'})).toMatch(/^INTERNAL/)
    expect(judgeGrpc({code: grpc.status.UNKNOWN, details: 'x'})).toMatch(/^UNKNOWN/)
    expect(judgeGrpc({code: grpc.status.INVALID_ARGUMENT, details: 'x'})).toMatch(/without an mls-error-code/)
    expect(judgeGrpc({code: grpc.status.NOT_FOUND, details: 'x', errorCode: 'INVALID_DATA'})).toMatch(/INVALID_DATA with status NOT_FOUND/)
    expect(judgeGrpc({code: grpc.status.INVALID_ARGUMENT, details: 'x', errorCode: 'INVALID_DATA'})).toBeUndefined()
  })

  it('checks that each output holds as many values as its shape says', () => {
    const output = (n: number) => ({name: 'y', datatype: 'FP32', shape: ['2'], contents: {fp32s: Array(n).fill(0)}})
    expect(judgeGrpc({code: grpc.status.OK, response: {outputs: [output(2)], raw_output_contents: []}})).toBeUndefined()
    expect(judgeGrpc({code: grpc.status.OK, response: {outputs: [output(1)], raw_output_contents: []}})).toMatch(/1 values for shape \[2\]/)
    expect(judgeGrpc({code: grpc.status.OK, response: {outputs: [{...output(0), contents: {}}], raw_output_contents: [Buffer.alloc(4)]}})).toMatch(/4 raw bytes for 2 FP32/)
  })
})

describe('Prng', () => {
  it('gives case i of seed s the same values every time, and other cases other values', () => {
    const draw = (seed: number, index: number) => Array.from({length: 5}, ((rng) => () => rng.int(1000))(Prng.forCase(seed, index)))
    expect(draw(7, 42)).toEqual(draw(7, 42))
    expect(draw(7, 42)).not.toEqual(draw(7, 43))
    expect(draw(7, 42)).not.toEqual(draw(8, 42))
  })
})

describe('judgeGrpc on ModelStreamInfer', () => {
  const response = {outputs: [{name: 'y', datatype: 'FP32', shape: ['1'], contents: {fp32s: [1]}}], raw_output_contents: []}
  it('wants one response per request when the stream ends OK, and at most that many when it ends with an error', () => {
    expect(judgeGrpc({code: grpc.status.OK, responses: [response, response], sent: 2})).toBeUndefined()
    expect(judgeGrpc({code: grpc.status.OK, responses: [response], sent: 2})).toMatch(/ended OK after 1 responses/)
    expect(judgeGrpc({code: grpc.status.INVALID_ARGUMENT, details: 'x', errorCode: 'INVALID_DATA', responses: [response], sent: 2})).toBeUndefined()
    expect(judgeGrpc({code: grpc.status.INTERNAL, details: 'boom', responses: [], sent: 1})).toMatch(/^INTERNAL/)
  })
})
