// Minimal gRPC baseline for bench/run.js: grpc-js + onnxruntime-node serving the mnist_sklearn example model through
// inference.GRPCInferenceService/ModelInfer (typed fp32_contents or raw_input_contents[0] in, the label out as
// int64_contents or raw_output_contents), plus ServerReady. Nothing else: no validation, no registry, no error mapping.
// Usage: PORT=0 HOST=127.0.0.1 node bench/baseline/grpc-onnx.js  (logs "gRPC listening on HOST:PORT" to stderr)
import {randomUUID} from 'node:crypto'
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'
import ort from 'onnxruntime-node'

const here = (relative) => fileURLToPath(new URL(relative, import.meta.url))
const session = await ort.InferenceSession.create(here('../../examples/multi-model/models/mnist_sklearn/model.onnx'), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionProviders: ['cpu'],
  logSeverityLevel: 3,
})

const definition = protoLoader.loadSync('dataplane.proto', {
  keepCase: true,
  longs: Number,
  defaults: false,
  arrays: true,
  oneofs: true,
  includeDirs: [here('../../proto')],
})

/** raw_input_contents[0] as float32: a view when aligned, else a copy (grpc-js buffers may start at any offset). */
function rawFloats(bytes) {
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

async function modelInfer(call, callback) {
  try {
    const request = call.request
    const raw = request.raw_input_contents.length > 0
    const input = request.inputs[0]
    const data = raw ? rawFloats(request.raw_input_contents[0]) : Float32Array.from(input.contents.fp32_contents)
    const result = await session.run({input: new ort.Tensor('float32', data, input.shape)})
    const labels = result.label.data // BigInt64Array
    const output = {name: 'predict', datatype: 'INT64', shape: [labels.length, 1]}
    callback(null, {
      model_name: 'mnist_sklearn',
      model_version: 'v1.0.0',
      id: randomUUID(),
      outputs: [raw ? output : {...output, contents: {int64_contents: Array.from(labels, Number)}}],
      raw_output_contents: raw ? [Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength)] : [],
    })
  } catch (error) {
    callback({code: grpc.status.INTERNAL, details: String(error)})
  }
}

const server = new grpc.Server()
server.addService(definition['inference.GRPCInferenceService'], {
  ServerReady: (_call, callback) => callback(null, {ready: true}),
  ModelInfer: modelInfer,
})
const host = process.env.HOST ?? '127.0.0.1'
const port = await new Promise((resolve, reject) =>
  server.bindAsync(`${host}:${Number(process.env.PORT ?? 0)}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
)
process.stderr.write(`baseline gRPC listening on ${host}:${port}\n`)
const stop = () => server.tryShutdown(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
