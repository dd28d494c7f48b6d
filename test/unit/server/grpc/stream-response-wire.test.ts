/**
 * ModelStreamInferResponse as the server encodes it (grpc_stream_format "triton"), decoded with the separately written
 * Triton-shaped client proto: lengths past one and two varint bytes, an empty error, an empty answer.
 */
import {fileURLToPath} from 'node:url'
import * as protoLoader from '@grpc/proto-loader'
import {describe, expect, it} from 'vitest'
import {inferenceService} from '../../../../src/protocol/grpc-protos.js'
import type {ModelStreamInferResponseMessage} from '../../../../src/protocol/grpc-messages.js'

const CLIENT_PROTO = fileURLToPath(new URL('../../../fixtures/triton-client.proto', import.meta.url))
const client = protoLoader.loadSync(CLIENT_PROTO, {keepCase: true, longs: String, defaults: true, arrays: true, oneofs: true})
const decode = (client['inference.GRPCInferenceService'] as protoLoader.ServiceDefinition).ModelStreamInfer.responseDeserialize
const encode = inferenceService('triton').ModelStreamInfer.responseSerialize

const roundTrip = (message: ModelStreamInferResponseMessage) => decode(encode(message)) as {error_message: string; infer_response: Record<string, any> | null}

describe('ModelStreamInferResponse on the wire', () => {
  it('an answer of 100 KB and one of none, without error_message', () => {
    const raw = Buffer.alloc(100_000, 7)
    const big = roundTrip({error_message: '', infer_response: {model_name: 'm', model_version: '2', id: 'a', outputs: [{name: 'y', datatype: 'UINT8', shape: [100_000]}], raw_output_contents: [raw]}})
    expect(big.error_message).toBe('')
    expect(big.infer_response).toMatchObject({model_name: 'm', model_version: '2', id: 'a', outputs: [{name: 'y', datatype: 'UINT8', shape: ['100000']}]})
    expect(Buffer.compare(big.infer_response!.raw_output_contents[0], raw)).toBe(0)
    // As Triton, infer_response is always present, even empty.
    expect(roundTrip({error_message: '', infer_response: {}}).infer_response).toMatchObject({id: '', outputs: []})
  })

  it('an error of 300 characters (not ASCII) with the request id', () => {
    const message = 'é'.repeat(150) + 'x'.repeat(150)
    const decoded = roundTrip({error_message: message, infer_response: {id: 'req-7'}})
    expect(decoded.error_message).toBe(message)
    expect(decoded.infer_response).toMatchObject({id: 'req-7', model_name: ''})
  })
})
