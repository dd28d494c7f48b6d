// The servers and the load scenarios the bench can run. Each scenario compares two sides, `baseline` and `mls` (the
// side under test), each served by one of SERVERS, and says how to check one answer and how to drive one round of load.
// The start-up scenarios (startup, scale100) are in startup.js.
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {GRPC_INFER_PATH, checkGrpcInfer, inferFrame, waitGrpcReady} from './grpc.js'
import {describeH2load, h2loadArgs, runH2load} from './h2load.js'
import {largeInput, mismatch, reference} from './models.js'
import {REST_INFER_PATH, binaryBody, checkRestInfer, inferPath, jsonBody, postInfer, restBody, waitRestReady} from './rest.js'
import {childPids, cpuSeconds} from './processes.js'
import {describeWrk, runWrk, wrkArgs} from './wrk.js'
import {TRACING_ID, exported, sink} from './tracing.js'

const MLS_FLAGS = ['--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--no-debug']

export const SERVERS = {
  fastify: {name: 'baseline-fastify', args: ['bench/baseline/fastify-onnx.js'], env: {HOST: '127.0.0.1', PORT: '0'}, endpoints: ['rest']},
  grpcjs: {name: 'baseline-grpc-js', args: ['bench/baseline/grpc-onnx.js'], env: {HOST: '127.0.0.1', PORT: '0'}, endpoints: ['grpc']},
  mls: {name: 'mls', args: ['bin/run.js', 'start', 'examples/multi-model', ...MLS_FLAGS], endpoints: ['rest', 'grpc']},
  // The same with the example's own `debug: "true"` kept: one access log line per request on stderr (a pipe the bench reads).
  mlsDebug: {name: 'mls-debug', args: ['bin/run.js', 'start', 'examples/multi-model', ...MLS_FLAGS.filter((flag) => flag !== '--no-debug'), '--debug'], endpoints: ['rest']},
  // The same repository served by 2 processes sharing the ports (node:cluster); ready once both have loaded.
  mlsCluster: {name: 'mls-2-processes', args: ['bin/run.js', 'start', 'examples/multi-model', ...MLS_FLAGS, '--processes', '2'], endpoints: ['rest'], readyLine: /\b2 processes ready\b/},
  // The bench's own repository: large_identity, large_sum, mlp, mlp_batched, tiny.
  // The example with tracing configured (the tracing scenario): OTLP/HTTP to the bench's sink (tracing.js sets the env).
  mlsTraced: {name: 'mls-traced', args: ['bin/run.js', 'start', 'examples/multi-model', ...MLS_FLAGS], env: {OTEL_BSP_MAX_QUEUE_SIZE: '8192'}, endpoints: ['rest', 'grpc']},
  mlsBench: {name: 'mls-bench-models', args: ['bin/run.js', 'start', 'bench/models', ...MLS_FLAGS], endpoints: ['rest', 'grpc']},
  // The same with the response cache on: mlp_cached opts in, mlp does not.
  mlsCache: {name: 'mls-bench-cache', args: ['bin/run.js', 'start', 'bench/models', ...MLS_FLAGS, '--cache-enabled'], endpoints: ['rest']},
}

export async function waitReady(server) {
  if (server.url) await waitRestReady(server)
  if (server.grpc) await waitGrpcReady(server)
}

/** A side that POSTs the one-row mnist JSON body and checks the label. */
function mnistJsonSide({row, expectedLabel, dir}) {
  const body = restBody(row)
  const file = path.join(dir, 'body.json')
  writeFileSync(file, body)
  const side = (server, label) => ({
    server,
    label,
    async check(s) {
      const {label: answer} = await checkRestInfer(s, body)
      if (answer !== expectedLabel) throw new Error(`${s.name} answered label ${answer}, expected ${expectedLabel}`)
      return `label ${answer} (expected ${expectedLabel})`
    },
    run: (config, s, seconds) => runWrk(config, s.url + REST_INFER_PATH, {file}, seconds),
    describe: (result) => describeWrk(result),
  })
  return {side, bodyBytes: Buffer.byteLength(body)}
}

function mnistRest(context) {
  const {side, bodyBytes} = mnistJsonSide(context)
  return {
    id: 'rest',
    name: 'mnist_sklearn 1 row REST',
    tool: 'wrk',
    target: {ratio: 0.8, text: 'mls >= 0.8x bare fastify'},
    sides: {baseline: side('fastify', 'baseline (fastify)'), mls: side('mls', 'mls')},
    request: {path: REST_INFER_PATH, bodyBytes},
    command: (config) => `wrk ${wrkArgs(config, config.duration).join(' ')} -s bench/post.lua`,
  }
}

/**
 * The rest scenario's request against mls without (baseline) and with debug logging: what the access log costs. Each
 * round also records the server's CPU time per request (`cpuUs`), steadier than req/s on a busy machine.
 */
function mnistRestDebug(context) {
  const {side: jsonSide, bodyBytes} = mnistJsonSide(context)
  const side = (server, label) => {
    const base = jsonSide(server, label)
    return {
      ...base,
      async run(config, s, seconds) {
        const before = cpuSeconds(s.child.pid)
        const result = await base.run(config, s, seconds)
        return {...result, cpuUs: result.requests ? Math.round(((cpuSeconds(s.child.pid) - before) * 1e7) / result.requests) / 10 : null}
      },
      describe: (result) => `  server CPU ${result.cpuUs ?? '?'} us/request${base.describe(result)}`,
    }
  }
  return {
    id: 'rest-debug',
    name: 'mnist_sklearn 1 row REST, debug log',
    tool: 'wrk',
    target: {ratio: 0.95, text: 'debug on >= 0.95x debug off'},
    sides: {baseline: side('mls', 'mls --no-debug (baseline)'), mls: side('mlsDebug', 'mls --debug')},
    request: {path: REST_INFER_PATH, bodyBytes},
    command: (config) => `wrk ${wrkArgs(config, config.duration).join(' ')} -s bench/post.lua`,
  }
}

/**
 * The rest scenario's request against mls with tracing not configured (baseline: the SDK is not loaded) and configured,
 * every request's spans exported over OTLP/HTTP to the bench's sink (tracing.js); the traced side's check waits for an
 * export. Each round records the server's CPU time per request, as rest-debug does.
 */
function mnistRestTracing(context) {
  const {side: jsonSide, bodyBytes} = mnistJsonSide(context)
  const side = (server, label, traced) => {
    const base = jsonSide(server, label)
    return {
      ...base,
      async check(s) {
        const before = sink.exports
        const checked = await base.check(s)
        if (!traced) return checked
        await exported(before)
        return `${checked}; spans exported to ${sink.url}`
      },
      async run(config, s, seconds) {
        const before = cpuSeconds(s.child.pid)
        const exports = sink.exports
        const result = await base.run(config, s, seconds)
        return {
          ...result,
          cpuUs: result.requests ? Math.round(((cpuSeconds(s.child.pid) - before) * 1e7) / result.requests) / 10 : null,
          ...(traced ? {exports: sink.exports - exports} : {}),
        }
      },
      describe: (result) => `  server CPU ${result.cpuUs ?? '?'} us/request${result.exports === undefined ? '' : `, ${result.exports} OTLP export(s)`}${base.describe(result)}`,
    }
  }
  return {
    id: TRACING_ID,
    name: 'mnist_sklearn 1 row REST, tracing',
    tool: 'wrk',
    target: {ratio: 0.8, text: 'tracing exporting >= 0.8x not configured'},
    sides: {baseline: side('mls', 'mls, tracing not configured (baseline)', false), mls: side('mlsTraced', 'mls, tracing to OTLP/HTTP', true)},
    request: {path: REST_INFER_PATH, bodyBytes},
    command: (config) => `wrk ${wrkArgs(config, config.duration).join(' ')} -s bench/post.lua`,
  }
}

/**
 * The rest scenario's request against mls in one process (baseline) and in two (`--processes 2`). The check also
 * finds the two server processes (children of the primary), and each round records the CPU time each one used, so
 * the results show that both served.
 */
function multiProcess(context) {
  const {side: jsonSide, bodyBytes} = mnistJsonSide(context)
  const side = (server, label) => {
    const base = jsonSide(server, label)
    if (server !== 'mlsCluster') return base
    return {
      ...base,
      async check(s) {
        const workers = childPids(s.child.pid)
        if (workers.length !== 2) throw new Error(`${s.name}: expected 2 server processes under pid ${s.child.pid}, found ${workers.length}`)
        return `${await base.check(s)}; processes ${workers.join(', ')}`
      },
      async run(config, s, seconds) {
        const pids = [s.child.pid, ...childPids(s.child.pid)] // the primary, then the server processes
        const before = pids.map(cpuSeconds)
        const result = await base.run(config, s, seconds)
        const [primary, ...cpu] = pids.map((pid, i) => Math.round((cpuSeconds(pid) - before[i]) * 100) / 100)
        return {...result, processCpuSeconds: cpu, primaryCpuSeconds: primary}
      },
      describe: (result) => `  CPU s: processes ${result.processCpuSeconds?.join(' / ') ?? '?'}, primary ${result.primaryCpuSeconds ?? '?'}${base.describe(result)}`,
    }
  }
  return {
    id: 'multi-process',
    name: 'mnist_sklearn 1 row REST, 2 processes',
    tool: 'wrk',
    target: {ratio: 1.4, text: '2 processes >= 1.4x 1 process'},
    sides: {baseline: side('mls', 'mls 1 process (baseline)'), mls: side('mlsCluster', 'mls --processes 2')},
    request: {path: REST_INFER_PATH, bodyBytes, processes: 2},
    command: (config) => `wrk ${wrkArgs(config, config.duration).join(' ')} -s bench/post.lua`,
  }
}

/**
 * One mnist row over the binary tensor data extension (64 little-endian float32 after a JSON header; the label comes
 * back as 8 binary bytes), against the same row as V2 JSON on the same mls process: one variable changed, the encoding.
 */
function mnistBinary(context) {
  const {row, expectedLabel, dir} = context
  const {side: jsonSide, bodyBytes: jsonBytes} = mnistJsonSide(context)
  const binary = binaryBody('predict', Float32Array.from(row), [1, row.length], {binaryOutputs: true})
  const body = {file: path.join(dir, 'body.bin'), contentType: 'application/octet-stream', headerLength: binary.headerLength}
  writeFileSync(body.file, binary.body)
  let responseBytes
  const binarySide = {
    server: 'mls',
    label: 'mls binary',
    async check(s) {
      const answer = await postInfer(s, REST_INFER_PATH, {body: binary.body, contentType: body.contentType, headerLength: body.headerLength})
      const output = answer.json.outputs?.[0]
      const bytes = answer.values.predict
      if (!answer.binary || output?.datatype !== 'INT64' || JSON.stringify(output.shape) !== '[1,1]' || bytes?.length !== 8) {
        throw new Error(`${s.name} answered an unexpected binary output: ${JSON.stringify(answer.json)}`)
      }
      const label = Number(Buffer.from(bytes).readBigInt64LE(0))
      if (label !== expectedLabel) throw new Error(`${s.name} binary answered label ${label}, expected ${expectedLabel}`)
      responseBytes = answer.responseBytes
      return `request ${binary.body.length} bytes (JSON header ${binary.headerLength}), binary answer ${answer.responseBytes} bytes, label ${label} (expected ${expectedLabel})`
    },
    run: (config, s, seconds) => runWrk(config, s.url + REST_INFER_PATH, body, seconds, responseBytes),
    describe: (result) => describeWrk(result, responseBytes),
  }
  return {
    id: 'rest-binary',
    name: 'mnist_sklearn 1 row REST binary',
    tool: 'wrk',
    sides: {baseline: jsonSide('mls', 'mls JSON (baseline)'), mls: binarySide},
    request: {path: REST_INFER_PATH, bodyBytes: {json: jsonBytes, binary: binary.body.length}, headerLength: binary.headerLength},
    command: (config) => `wrk ${wrkArgs(config, config.duration).join(' ')} -s bench/post.lua`,
  }
}

function mnistGrpc(kind, {row, expectedLabel, dir}) {
  const body = inferFrame(kind, row)
  const frameFile = path.join(dir, `grpc-${kind}.bin`)
  writeFileSync(frameFile, body)
  const responseBytes = {} // per server name, measured by the check; the load rounds compare DATA bytes against it
  const side = (server, label) => ({
    server,
    label,
    async check(s) {
      const result = await checkGrpcInfer(s, kind, body)
      if (result.label !== expectedLabel) throw new Error(`${s.name} gRPC ${kind} answered label ${result.label}, expected ${expectedLabel}`)
      responseBytes[s.name] = result.responseBytes
      return `label ${result.label} (expected ${expectedLabel})`
    },
    run: (config, s, seconds) => runH2load(config, `http://${s.grpc}${GRPC_INFER_PATH}`, frameFile, responseBytes[s.name], seconds),
    describe: (result, s) => describeH2load(result, responseBytes[s.name]),
  })
  return {
    id: `grpc-${kind}`,
    name: `mnist_sklearn 1 row gRPC ${kind}`,
    tool: 'h2load',
    target: {ratio: 0.8, text: 'mls >= 0.8x bare grpc-js'},
    sides: {baseline: side('grpcjs', 'baseline (grpc-js)'), mls: side('mls', 'mls')},
    request: {path: GRPC_INFER_PATH, frameBytes: body.length, contents: kind === 'typed' ? 'fp32_contents' : 'raw_input_contents', responseBytes},
    command: (config) => `h2load ${h2loadArgs(config, config.duration).join(' ')} -d <frame> -H 'content-type: application/grpc' -H 'te: trailers'`,
  }
}

/**
 * One [1, 100000] FP32 tensor through large_identity (answer as large as the request: both directions measured) or
 * large_sum (answer [1, 1]: the request side measured), mls's REST JSON path (baseline) against the binary tensor data
 * extension (binary input, and binary output where there is a tensor to return).
 */
function largeTensor(model, {expected, dir, connections}) {
  const data = largeInput(expected.large.elements)
  const shape = [1, data.length]
  const url = inferPath(model)
  const json = jsonBody('x', data, shape)
  const binary = binaryBody('x', data, shape, {binaryOutputs: true})
  const bodies = {
    json: {file: path.join(dir, `${model}.json`), contentType: 'application/json', bytes: Buffer.byteLength(json)},
    binary: {file: path.join(dir, `${model}.bin`), contentType: 'application/octet-stream', headerLength: binary.headerLength, bytes: binary.body.length},
  }
  writeFileSync(bodies.json.file, json)
  writeFileSync(bodies.binary.file, binary.body)
  const responseBytes = {}
  let want // onnxruntime-node's answer in this process
  const side = (kind, label) => ({
    server: 'mlsBench',
    label,
    async check(s) {
      want ??= await reference(model, data, shape)
      const body = kind === 'json' ? json : binary.body
      const answer = await postInfer(s, url, {body, contentType: bodies[kind].contentType, headerLength: bodies[kind].headerLength})
      if (answer.binary !== (kind === 'binary')) throw new Error(`${s.name} ${model}: expected a ${kind} answer`)
      const y = answer.values.y
      // identity: JSON numbers parse back to the same float32 values, so both paths must be exact
      const problem = y ? mismatch(Float32Array.from(y), want, {atol: model === 'large_sum' ? 1e-2 : 0, rtol: model === 'large_sum' ? 1e-6 : 0}) : 'no output y'
      if (problem) throw new Error(`${s.name} ${model} ${kind}: ${problem}`)
      responseBytes[kind] = answer.responseBytes
      return `${kind} request ${bodies[kind].bytes} bytes, answer ${answer.responseBytes} bytes, y [${answer.json.outputs[0].shape}] equals onnxruntime-node's`
    },
    run: (config, s, seconds) => runWrk(config, s.url + url, bodies[kind], seconds, responseBytes[kind]),
    describe: (result) => describeWrk(result, responseBytes[kind]),
  })
  const short = model === 'large_identity' ? 'identity' : 'sum'
  return {
    id: model === 'large_identity' ? 'large-binary' : 'large-binary-sum',
    name: `100k FP32 ${short} REST`,
    tool: 'wrk',
    connections,
    target: {ratio: 3, text: 'binary >= 3x JSON'},
    sides: {baseline: side('json', 'mls JSON (baseline)'), mls: side('binary', 'mls binary')},
    request: {path: url, model, elements: data.length, bodyBytes: {json: bodies.json.bytes, binary: bodies.binary.bytes}, headerLength: binary.headerLength, responseBytes},
    command: (config) => `wrk ${wrkArgs({...config, connections}, config.duration).join(' ')} -s bench/post.lua`,
  }
}

/**
 * One-row requests on a small MLP at high concurrency: mlp (no batching, baseline) against mlp_batched (the same
 * graph with max_batch_size 32, max_batch_time 0.002). The check sends 48 different rows at once to each model, so the
 * batched one answers them in batches, and compares every answer with onnxruntime-node's for that row.
 */
function mlpBatching({expected, dir, connections}) {
  const row = expected.mlp.input
  const body = jsonBody('x', row, [1, 64])
  const file = path.join(dir, 'mlp.json')
  writeFileSync(file, body)
  const rows = Array.from({length: 48}, (_, i) => row.map((v, j) => (j === i % 64 ? v + 1 + (i >> 6) : v)))
  const side = (model, label) => ({
    server: 'mlsBench',
    label,
    async check(s) {
      const want = await reference('mlp', rows.flat(), [rows.length, 64])
      const answers = await Promise.all(rows.map((r) => postInfer(s, inferPath(model), {body: jsonBody('x', r, [1, 64])})))
      answers.forEach(({json, values}, i) => {
        const problem = JSON.stringify(json.outputs?.[0]?.shape) === '[1,10]' ? mismatch(values.y, want.subarray(i * 10, i * 10 + 10), {atol: 1e-3}) : `output ${JSON.stringify(json.outputs)}`
        if (problem) throw new Error(`${s.name} ${model}, row ${i} of ${rows.length} sent at once: ${problem}`)
      })
      return `${rows.length} different rows at once, each answer equals onnxruntime-node's`
    },
    run: (config, s, seconds) => runWrk(config, s.url + inferPath(model), {file}, seconds),
    describe: (result) => describeWrk(result),
  })
  return {
    id: 'mlp-batched',
    name: 'mlp 1 row REST',
    tool: 'wrk',
    connections,
    target: {ratio: 2, text: 'batched >= 2x unbatched'},
    sides: {baseline: side('mlp', 'mls mlp (baseline)'), mls: side('mlp_batched', 'mls mlp_batched')},
    request: {path: inferPath('mlp_batched'), bodyBytes: Buffer.byteLength(body), batching: {max_batch_size: 32, max_batch_time: 0.002}},
    command: (config) => `wrk ${wrkArgs({...config, connections}, config.duration).join(' ')} -s bench/post.lua`,
  }
}

/**
 * One hot row repeated on the MLP, on a server with the response cache on: mlp (not opted in: every request runs the
 * model, baseline) against mlp_cached (the same graph with cache_enabled: after the first request every answer comes
 * from the cache). The check asks mlp_cached twice and reads its statistics: more inferences than executions means
 * the cache answered.
 */
function hotCache({expected, dir}) {
  const row = expected.mlp.input
  const body = jsonBody('x', row, [1, 64])
  const file = path.join(dir, 'mlp-cache.json')
  writeFileSync(file, body)
  const side = (model, label) => ({
    server: 'mlsCache',
    label,
    async check(s) {
      const want = await reference('mlp', row, [1, 64])
      for (let i = 0; i < 2; i++) {
        const {json, values} = await postInfer(s, inferPath(model), {body})
        const problem = JSON.stringify(json.outputs?.[0]?.shape) === '[1,10]' ? mismatch(values.y, want, {atol: 1e-3}) : `output ${JSON.stringify(json.outputs)}`
        if (problem) throw new Error(`${s.name} ${model}: ${problem}`)
      }
      const stats = (await (await fetch(`${s.url}/v2/models/${model}/stats`)).json()).model_stats[0]
      const cached = stats.inference_count > stats.execution_count
      if (cached !== (model === 'mlp_cached')) throw new Error(`${s.name} ${model}: ${stats.inference_count} inferences, ${stats.execution_count} executions`)
      return `answer equals onnxruntime-node's; ${stats.inference_count} inferences, ${stats.execution_count} model executions`
    },
    run: (config, s, seconds) => runWrk(config, s.url + inferPath(model), {file}, seconds),
    describe: (result) => describeWrk(result),
  })
  return {
    id: 'cache',
    name: 'mlp hot row REST, response cache',
    tool: 'wrk',
    sides: {baseline: side('mlp', 'mls mlp (baseline)'), mls: side('mlp_cached', 'mls mlp_cached')},
    request: {path: inferPath('mlp_cached'), bodyBytes: Buffer.byteLength(body), cache: {cache_enabled: true, model: 'mlp_cached'}},
    command: (config) => `wrk ${wrkArgs(config, config.duration).join(' ')} -s bench/post.lua`,
  }
}

export const LOAD_SCENARIO_IDS = ['rest', 'rest-debug', 'rest-binary', 'grpc-typed', 'grpc-raw', 'multi-process', 'large-binary', 'large-binary-sum', 'mlp-batched', 'cache', TRACING_ID]

export function buildScenarios(ids, context) {
  return ids.map((id) => {
    if (id === 'rest') return mnistRest(context)
    if (id === 'rest-debug') return mnistRestDebug(context)
    if (id === TRACING_ID) return mnistRestTracing(context)
    if (id === 'rest-binary') return mnistBinary(context)
    if (id === 'multi-process') return multiProcess(context)
    if (id.startsWith('grpc-')) return mnistGrpc(id.slice('grpc-'.length), context)
    if (id === 'large-binary') return largeTensor('large_identity', {...context, connections: context.largeConnections})
    if (id === 'large-binary-sum') return largeTensor('large_sum', {...context, connections: context.largeConnections})
    if (id === 'mlp-batched') return mlpBatching({...context, connections: context.mlpConnections})
    if (id === 'cache') return hotCache(context)
    throw new Error(`unknown scenario ${id}`)
  })
}
