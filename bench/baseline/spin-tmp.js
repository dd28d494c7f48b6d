// Minimal baseline for bench/run.js: fastify + onnxruntime-node serving the mnist_sklearn example model on the same
// V2 path with the same JSON response, and nothing else (no validation, no registry, no error mapping).
// Usage: PORT=0 HOST=127.0.0.1 node bench/baseline/fastify-onnx.js  (logs "listening on http://..." to stderr)
import {randomUUID} from 'node:crypto'
import {fileURLToPath} from 'node:url'
import Fastify from 'fastify'
import ort from 'onnxruntime-node'

const modelPath = fileURLToPath(new URL('../../examples/multi-model/models/mnist_sklearn/model.onnx', import.meta.url))
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionProviders: ['cpu'],
  logSeverityLevel: 3,
})

const app = Fastify({logger: false, bodyLimit: 64 * 1024 * 1024})
app.get('/v2/health/ready', async () => ({}))
app.post('/v2/models/mnist_sklearn/versions/v1.0.0/infer', async (request) => {
  const input = request.body.inputs[0]; { const e = performance.now() + Number(process.env.SPIN_US ?? 0) / 1000; while (performance.now() < e); }
  const result = await session.run({input: new ort.Tensor('float32', Float32Array.from(input.data), input.shape)})
  const labels = Array.from(result.label.data, Number)
  return {
    model_name: 'mnist_sklearn',
    model_version: 'v1.0.0',
    id: randomUUID(),
    outputs: [{name: 'predict', shape: [labels.length, 1], datatype: 'INT64', data: labels}],
  }
})

const url = await app.listen({host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0)})
process.stderr.write(`baseline listening on ${url}\n`)
const stop = () => app.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
