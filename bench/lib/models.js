// The bench's own models (bench/models, made by make_models.py): their inputs, reference answers computed in this
// process with onnxruntime-node, and the check that each one loads and answers what numpy computed.
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import ort from 'onnxruntime-node'
import {root} from './util.js'

export const MODELS_DIR = path.join(root, 'bench/models')
const SESSION_OPTIONS = {intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'], logSeverityLevel: 3}
const FILES = ['large_identity', 'large_sum', 'mlp', 'tiny'].map((name) => path.join(MODELS_DIR, name, 'model.onnx'))

export function loadExpected() {
  const missing = FILES.filter((file) => !existsSync(file))
  if (missing.length) throw new Error(`missing ${missing.map((f) => path.relative(root, f)).join(', ')}: run /usr/bin/python3 bench/models/make_models.py`)
  return JSON.parse(readFileSync(path.join(MODELS_DIR, 'expected.json'), 'utf8'))
}

/** The large input: `elements` float32 values in [-1, 1) from a fixed-seed generator (mulberry32), like real data. */
export function largeInput(elements) {
  let seed = 0x9e3779b9
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return Float32Array.from({length: elements}, () => random() * 2 - 1)
}

/** Element-wise |a - b| <= atol + rtol * |b| (b the reference). Returns the first mismatch, or undefined. */
export function mismatch(actual, expected, {atol = 1e-4, rtol = 1e-4} = {}) {
  if (actual.length !== expected.length) return `${actual.length} values, expected ${expected.length}`
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) return `value ${i} is ${actual[i]}, expected ${expected[i]}`
  }
  return undefined
}

const sessions = {}
async function session(name) {
  sessions[name] ??= await ort.InferenceSession.create(path.join(MODELS_DIR, name, 'model.onnx'), SESSION_OPTIONS)
  return sessions[name]
}

/** onnxruntime-node's answer (output y, as a Float32Array) for FP32 input x of the given shape. */
export async function reference(name, data, shape) {
  const result = await (await session(name)).run({x: new ort.Tensor('float32', Float32Array.from(data), shape)})
  return result.y.data
}

/**
 * Loads every bench model in onnxruntime-node and checks its answer: mlp and tiny against numpy's (expected.json),
 * large_identity gives back its input bit for bit, large_sum the float64 sum within float32 rounding.
 * Returns one line per model for the log.
 */
export async function verifyModels(expected) {
  const lines = []
  const check = (name, problem, detail) => {
    if (problem) throw new Error(`bench/models/${name}/model.onnx in onnxruntime-node: ${problem}`)
    lines.push(`${name.padEnd(15)} ok in onnxruntime-node (${detail})`)
  }
  const mlp = await reference('mlp', expected.mlp.input, [1, 64])
  check('mlp', mismatch(mlp, expected.mlp.output, {atol: 1e-3}), `[1,64] -> [1,10] matches numpy, y[0] = ${mlp[0].toFixed(4)}`)
  const tiny = await reference('tiny', expected.tiny.input, [1, 4])
  check('tiny', mismatch(tiny, expected.tiny.output, {atol: 0, rtol: 0}), `[1,2,3,4] -> [${Array.from(tiny)}]`)
  const large = largeInput(expected.large.elements)
  const identity = await reference('large_identity', large, [1, large.length])
  check('large_identity', Buffer.compare(Buffer.from(identity.buffer, identity.byteOffset, identity.byteLength), Buffer.from(large.buffer)) ? 'output differs from input' : undefined,
    `[1,${large.length}] returned bit for bit`)
  const sum = await reference('large_sum', large, [1, large.length])
  const exact = large.reduce((s, v) => s + v, 0)
  check('large_sum', mismatch(sum, [exact], {atol: 1e-2, rtol: 1e-5}), `sum ${sum[0].toFixed(3)}, float64 sum ${exact.toFixed(3)}`)
  return lines
}
