// The servers and the scenarios the bench can run. Each scenario pairs a baseline with mls, and says how to check one
// answer and how to drive one round of load.
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {GRPC_INFER_PATH, checkGrpcInfer, inferFrame, waitGrpcReady} from './grpc.js'
import {describeH2load, h2loadArgs, runH2load} from './h2load.js'
import {REST_INFER_PATH, checkRestInfer, restBody, waitRestReady} from './rest.js'
import {describeWrk, runWrk, wrkArgs} from './wrk.js'

export const SERVERS = {
  fastify: {name: 'baseline-fastify', args: ['bench/baseline/fastify-onnx.js'], env: {HOST: '127.0.0.1', PORT: '0'}, endpoints: ['rest']},
  grpcjs: {name: 'baseline-grpc-js', args: ['bench/baseline/grpc-onnx.js'], env: {HOST: '127.0.0.1', PORT: '0'}, endpoints: ['grpc']},
  mls: {
    name: 'mls',
    args: [
      'bin/run.js', 'start', 'examples/multi-model', '--host', '127.0.0.1',
      '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--no-debug',
    ],
    endpoints: ['rest', 'grpc'],
  },
}

export async function waitReady(server) {
  if (server.url) await waitRestReady(server)
  if (server.grpc) await waitGrpcReady(server)
}

function restScenario(row, dir) {
  const body = restBody(row)
  const bodyFile = path.join(dir, 'body.json')
  writeFileSync(bodyFile, body)
  return {
    id: 'rest',
    name: 'mnist_sklearn 1 row REST',
    tool: 'wrk',
    baseline: 'fastify',
    baselineLabel: 'fastify',
    request: {path: REST_INFER_PATH, bodyBytes: Buffer.byteLength(body)},
    command: (config) => `wrk ${wrkArgs(config, config.duration).join(' ')} -s bench/post.lua`,
    check: (server) => checkRestInfer(server, body),
    run: (config, server, seconds) => runWrk(config, server.url + REST_INFER_PATH, bodyFile, seconds),
    describe: describeWrk,
  }
}

function grpcScenario(kind, row, dir) {
  const body = inferFrame(kind, row)
  const frameFile = path.join(dir, `grpc-${kind}.bin`)
  writeFileSync(frameFile, body)
  const responseBytes = {} // per server name, measured by the check; the load rounds compare DATA bytes against it
  return {
    id: `grpc-${kind}`,
    name: `mnist_sklearn 1 row gRPC ${kind}`,
    tool: 'h2load',
    baseline: 'grpcjs',
    baselineLabel: 'grpc-js',
    request: {path: GRPC_INFER_PATH, frameBytes: body.length, contents: kind === 'typed' ? 'fp32_contents' : 'raw_input_contents', responseBytes},
    command: (config) => `h2load ${h2loadArgs(config, config.duration).join(' ')} -d <frame> -H 'content-type: application/grpc' -H 'te: trailers'`,
    async check(server) {
      const result = await checkGrpcInfer(server, kind, body)
      responseBytes[server.name] = result.responseBytes
      return result
    },
    run: (config, server, seconds) =>
      runH2load(config, `http://${server.grpc}${GRPC_INFER_PATH}`, frameFile, responseBytes[server.name], seconds),
    describe: (result, server) => describeH2load(result, responseBytes[server.name]),
  }
}

export const SCENARIO_IDS = ['rest', 'grpc-typed', 'grpc-raw']

export function buildScenarios(ids, row, dir) {
  return ids.map((id) => (id === 'rest' ? restScenario(row, dir) : grpcScenario(id.slice('grpc-'.length), row, dir)))
}
