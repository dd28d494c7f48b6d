// gRPC side of the bench: the ModelInferRequest bodies h2load sends, and a one-call check over node:http2 that sends
// exactly those bytes and reads the grpc-status trailer and the decoded ModelInferResponse.
import http2 from 'node:http2'
import path from 'node:path'
import protoLoader from '@grpc/proto-loader'
import {root} from './util.js'

export const GRPC_INFER_PATH = '/inference.GRPCInferenceService/ModelInfer'
const READY_PATH = '/inference.GRPCInferenceService/ServerReady'

const service = protoLoader.loadSync('dataplane.proto', {
  keepCase: true,
  longs: Number,
  defaults: false,
  arrays: true,
  oneofs: true,
  includeDirs: [path.join(root, 'proto')],
})['inference.GRPCInferenceService']

/** gRPC length-prefixed message: compressed flag 0, 4-byte big-endian length, the protobuf bytes. */
function frame(message) {
  const header = Buffer.alloc(5)
  header.writeUInt32BE(message.length, 1)
  return Buffer.concat([header, message])
}

/** The framed ModelInferRequest for one FP32 row: `typed` in fp32_contents, `raw` in raw_input_contents[0]. */
export function inferFrame(kind, row) {
  const input = {name: 'predict', datatype: 'FP32', shape: [1, row.length]}
  const request = {model_name: 'mnist_sklearn', model_version: 'v1.0.0'}
  if (kind === 'typed') request.inputs = [{...input, contents: {fp32_contents: row}}]
  else if (kind === 'raw') Object.assign(request, {inputs: [input], raw_input_contents: [Buffer.from(Float32Array.from(row).buffer)]})
  else throw new Error(`unknown gRPC body kind ${kind}`)
  return frame(service.ModelInfer.requestSerialize(request))
}

/** One unary call over a fresh h2c connection; resolves with the HTTP status, grpc-status and the raw response body. */
function call(address, rpcPath, body, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address}`)
    let failure
    const timer = setTimeout(() => session.destroy(new Error(`no answer from ${address}${rpcPath} within ${timeoutMs} ms`)), timeoutMs)
    session.on('error', (error) => (failure ??= error))
    const stream = session.request({':method': 'POST', ':path': rpcPath, 'content-type': 'application/grpc', te: 'trailers'})
    const chunks = []
    let headers = {}
    let trailers = {}
    stream.on('response', (h) => (headers = h))
    stream.on('trailers', (t) => (trailers = t))
    stream.on('data', (chunk) => chunks.push(chunk))
    stream.on('error', (error) => (failure ??= error))
    stream.on('close', () => {
      clearTimeout(timer)
      session.close()
      if (headers[':status'] === undefined) return reject(new Error(`${address}${rpcPath}: ${failure?.message ?? 'closed without a response'}`))
      const grpcStatus = trailers['grpc-status'] ?? headers['grpc-status']
      resolve({
        httpStatus: headers[':status'],
        grpcStatus: grpcStatus === undefined ? undefined : Number(grpcStatus),
        grpcMessage: trailers['grpc-message'] ?? headers['grpc-message'],
        body: Buffer.concat(chunks),
      })
    })
    stream.end(body)
  })
}

function decode(answer, deserialize, what) {
  if (answer.httpStatus !== 200 || answer.grpcStatus !== 0) {
    throw new Error(`${what}: HTTP ${answer.httpStatus}, grpc-status ${answer.grpcStatus} ${answer.grpcMessage ?? ''}`.trim())
  }
  if (answer.body.length < 5 || answer.body[0] !== 0 || answer.body.readUInt32BE(1) !== answer.body.length - 5) {
    throw new Error(`${what}: expected one uncompressed gRPC message, got ${answer.body.length} bytes`)
  }
  return deserialize(answer.body.subarray(5))
}

export async function waitGrpcReady(server, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ready = await call(server.grpc, READY_PATH, frame(Buffer.alloc(0))).then(
      (answer) => decode(answer, service.ServerReady.responseDeserialize, 'ServerReady').ready === true,
      () => false,
    )
    if (ready) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${server.name} gRPC not ready within ${timeoutMs / 1000} s\n${server.tail.join('\n')}`)
}

/** Sends the bench's frame once; checks grpc-status 0 and a [1,1] INT64 output in the expected form; returns the label. */
export async function checkGrpcInfer(server, kind, body) {
  const what = `${server.name} gRPC ${kind}`
  const answer = await call(server.grpc, GRPC_INFER_PATH, body)
  const response = decode(answer, service.ModelInfer.responseDeserialize, what)
  const output = response.outputs?.[0]
  if (output?.datatype !== 'INT64' || JSON.stringify(output.shape) !== '[1,1]') {
    throw new Error(`${what}: unexpected output ${JSON.stringify(response)}`)
  }
  const raw = response.raw_output_contents?.[0]
  if (kind === 'raw' && raw?.length !== 8) throw new Error(`${what}: expected 8 bytes in raw_output_contents, got ${JSON.stringify(response)}`)
  const label = kind === 'raw' ? Number(raw.readBigInt64LE(0)) : output.contents?.int64_contents?.[0]
  return {label, responseBytes: answer.body.length}
}
