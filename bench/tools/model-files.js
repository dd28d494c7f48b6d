/**
 * Model files of a chosen size, written from JavaScript alone (no Python, no onnx package), for the memory tools
 * beside this file (measure-model-memory.js, memory-cycles.js):
 * - onnxMlp(bytes):        an ONNX MLP (MatMul + Add + Relu), its weights as initializers: what `onnx` serves.
 * - onnxForest(bytes):     an ONNX TreeEnsembleClassifier (ai.onnx.ml), the trees as node attributes: what skl2onnx
 *                          writes for a random forest, i.e. what `sklearn` serves.
 * - xgboostJson(bytes):    an XGBoost JSON forest with every field XGBoost 1.7 / 2.x writes per tree.
 * - xgboostUbj(bytes):     the same forest as UBJSON (model.ubj), typed arrays as XGBoost writes them.
 * Sizes are approximate (within a tree or a layer); the content is deterministic for a size and a seed.
 */

// ---- a minimal protobuf writer, for ONNX's ModelProto ----

const varint = (value) => {
  let n = BigInt(value)
  if (n < 0n) n += 1n << 64n
  const out = []
  while (n >= 0x80n) {
    out.push(Number((n & 0x7fn) | 0x80n))
    n >>= 7n
  }
  out.push(Number(n))
  return Buffer.from(out)
}
const key = (field, wire) => varint((field << 3) | wire)
const len = (field, bytes) => Buffer.concat([key(field, 2), varint(bytes.length), bytes])
const str = (field, text) => len(field, Buffer.from(text, 'utf8'))
const int = (field, value) => Buffer.concat([key(field, 0), varint(value)])
const packedInts = (field, values) => len(field, Buffer.concat(values.map((v) => varint(v))))
const packedFloats = (field, values) => {
  const bytes = Buffer.alloc(values.length * 4)
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4))
  return len(field, bytes)
}

const FLOAT = 1
const INT64 = 7

/** TypeProto.Tensor of `elemType` with dims (numbers or symbolic names). */
const valueInfo = (name, elemType, dims) => {
  const shape = Buffer.concat(dims.map((d) => len(1, typeof d === 'number' ? int(1, d) : str(2, d))))
  return Buffer.concat([str(1, name), len(2, len(1, Buffer.concat([int(1, elemType), len(2, shape)])))])
}
const node = (op, inputs, outputs, attributes = [], domain = '') =>
  Buffer.concat([...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(4, op), ...(domain ? [str(7, domain)] : []), ...attributes])
// AttributeProto: name 1, f 2, i 3, s 4, floats 7, ints 8, strings 9, type 20 (FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7, STRINGS 8)
const attrInts = (name, values) => len(5, Buffer.concat([str(1, name), packedInts(8, values), int(20, 7)]))
const attrFloats = (name, values) => len(5, Buffer.concat([str(1, name), packedFloats(7, values), int(20, 6)]))
const attrStrings = (name, values) => len(5, Buffer.concat([str(1, name), ...values.map((v) => str(9, v)), int(20, 8)]))
const attrString = (name, value) => len(5, Buffer.concat([str(1, name), str(4, value), int(20, 3)]))
const tensorFp32 = (name, dims, values) => {
  const raw = Buffer.from(values.buffer, values.byteOffset, values.byteLength)
  return Buffer.concat([...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name), len(9, raw)])
}
const model = (graph, opsets) =>
  Buffer.concat([int(1, 8), str(2, 'mls-bench'), len(7, graph), ...opsets.map(([domain, version]) => len(8, Buffer.concat([str(1, domain), int(2, version)])))])

/** A deterministic generator of floats in [-1, 1). */
function random(seed) {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return ((s >>> 0) / 2 ** 32) * 2 - 1
  }
}

/**
 * An ONNX MLP of about `bytes` bytes: `layers` square layers of width d (d² + d floats each), input x FP32 [batch, d],
 * output y FP32 [batch, d]. Returns the file's bytes and its width (the input's second dimension).
 */
export function onnxMlp(bytes, {layers = 4, seed = 1} = {}) {
  const d = Math.max(2, Math.round(Math.sqrt(bytes / 4 / layers)))
  const next = random(seed)
  const nodes = []
  const inits = []
  let input = 'x'
  for (let l = 0; l < layers; l++) {
    const w = new Float32Array(d * d).map(() => next() / Math.sqrt(d))
    const b = new Float32Array(d).map(() => next() / 10)
    inits.push(tensorFp32(`w${l}`, [d, d], w), tensorFp32(`b${l}`, [d], b))
    const last = l === layers - 1
    nodes.push(node('MatMul', [input, `w${l}`], [`m${l}`]), node('Add', [`m${l}`, `b${l}`], [last ? 'y' : `a${l}`]))
    if (!last) nodes.push(node('Relu', [`a${l}`], [`h${l}`]))
    input = `h${l}`
  }
  const graph = Buffer.concat([
    ...nodes.map((n) => len(1, n)),
    str(2, 'mlp'),
    ...inits.map((t) => len(5, t)),
    len(11, valueInfo('x', FLOAT, ['batch', d])),
    len(12, valueInfo('y', FLOAT, ['batch', d])),
  ])
  return {bytes: model(graph, [['', 15]]), width: d}
}

/** Complete binary trees of `depth` (2^(depth+1) - 1 nodes), split on features below `features`. */
function* trees(count, depth, features, seed) {
  const next = random(seed)
  const n = 2 ** (depth + 1) - 1
  const inner = 2 ** depth - 1
  for (let t = 0; t < count; t++) {
    const left = new Int32Array(n).fill(-1)
    const right = new Int32Array(n).fill(-1)
    const feature = new Int32Array(n)
    const value = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      if (i < inner) {
        left[i] = 2 * i + 1
        right[i] = 2 * i + 2
        feature[i] = Math.floor(((next() + 1) / 2) * features)
      }
      value[i] = next()
    }
    yield {n, inner, left, right, feature, value, random: next}
  }
}

/**
 * An ONNX TreeEnsembleClassifier (two classes, as skl2onnx writes a RandomForestClassifier without ZipMap) of about
 * `bytes` bytes: trees of depth 8 over `features` FP32 features; outputs `label` INT64 [N] and `probabilities` FP32 [N, 2].
 */
export function onnxForest(bytes, {depth = 8, features = 32, seed = 2} = {}) {
  const perTree = (2 ** (depth + 1) - 1) * 28 // bytes per node of this encoding, roughly
  const count = Math.max(1, Math.round(bytes / perTree))
  const a = {treeids: [], nodeids: [], featureids: [], values: [], modes: [], trues: [], falses: [], cTree: [], cNode: [], cId: [], cWeight: []}
  let t = 0
  for (const tree of trees(count, depth, features, seed)) {
    for (let i = 0; i < tree.n; i++) {
      const leaf = i >= tree.inner
      a.treeids.push(t)
      a.nodeids.push(i)
      a.featureids.push(leaf ? 0 : tree.feature[i])
      a.values.push(leaf ? 0 : tree.value[i])
      a.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ')
      a.trues.push(leaf ? 0 : tree.left[i])
      a.falses.push(leaf ? 0 : tree.right[i])
      if (leaf) {
        const p = (tree.value[i] + 1) / 2
        a.cTree.push(t, t)
        a.cNode.push(i, i)
        a.cId.push(0, 1)
        a.cWeight.push((1 - p) / count, p / count)
      }
    }
    t++
  }
  const classifier = node(
    'TreeEnsembleClassifier',
    ['x'],
    ['label', 'probabilities'],
    [
      attrInts('class_ids', a.cId),
      attrInts('class_nodeids', a.cNode),
      attrInts('class_treeids', a.cTree),
      attrFloats('class_weights', a.cWeight),
      attrInts('classlabels_int64s', [0, 1]),
      attrInts('nodes_falsenodeids', a.falses),
      attrInts('nodes_featureids', a.featureids),
      attrStrings('nodes_modes', a.modes),
      attrInts('nodes_nodeids', a.nodeids),
      attrInts('nodes_treeids', a.treeids),
      attrInts('nodes_truenodeids', a.trues),
      attrFloats('nodes_values', a.values),
      attrString('post_transform', 'NONE'),
    ],
    'ai.onnx.ml',
  )
  const graph = Buffer.concat([
    len(1, classifier),
    str(2, 'forest'),
    len(11, valueInfo('x', FLOAT, ['batch', features])),
    len(12, valueInfo('label', INT64, ['batch'])),
    len(12, valueInfo('probabilities', FLOAT, ['batch', 2])),
  ])
  return {bytes: model(graph, [['', 15], ['ai.onnx.ml', 3]]), width: features}
}

/** The learner of an XGBoost binary:logistic forest of `count` trees of `depth`, as plain arrays. */
function xgboostLearner(count, depth, features, seed) {
  const list = []
  let id = 0
  for (const tree of trees(count, depth, features, seed)) {
    const parents = Array.from({length: tree.n}, (_, i) => (i === 0 ? 2147483647 : Math.floor((i - 1) / 2)))
    const round = (v) => Number(v.toPrecision(8))
    list.push({
      base_weights: Array.from(tree.value, round),
      categories: [],
      categories_nodes: [],
      categories_segments: [],
      categories_sizes: [],
      default_left: Array.from(tree.left, (l) => (l === -1 ? 0 : 1)),
      id: id++,
      left_children: Array.from(tree.left),
      loss_changes: Array.from(tree.value, (v, i) => (i < tree.inner ? round(Math.abs(v) * 1000) : 0)),
      parents,
      right_children: Array.from(tree.right),
      split_conditions: Array.from(tree.value, round),
      split_indices: Array.from(tree.feature),
      split_type: new Array(tree.n).fill(0),
      sum_hessian: Array.from(tree.value, (v) => round(Math.abs(v) * 500 + 1)),
      tree_param: {num_deleted: '0', num_feature: String(features), num_nodes: String(tree.n), size_leaf_vector: '0'},
    })
  }
  return {
    learner: {
      attributes: {},
      feature_names: [],
      feature_types: [],
      gradient_booster: {
        model: {gbtree_model_param: {num_parallel_tree: '1', num_trees: String(count)}, tree_info: new Array(count).fill(0), trees: list},
        name: 'gbtree',
      },
      learner_model_param: {base_score: '5E-1', boost_from_average: '1', num_class: '0', num_feature: String(features), num_target: '1'},
      objective: {name: 'binary:logistic', reg_loss_param: {scale_pos_weight: '1'}},
    },
    version: [1, 7, 4],
  }
}

/** An XGBoost JSON model of about `bytes` bytes: trees of depth 6 (127 nodes, ~7 KiB of JSON each) over `features`. */
export function xgboostJson(bytes, {depth = 6, features = 32, seed = 3} = {}) {
  const perTree = (2 ** (depth + 1) - 1) * 57
  const count = Math.max(1, Math.round(bytes / perTree))
  return {bytes: Buffer.from(JSON.stringify(xgboostLearner(count, depth, features, seed))), width: features}
}

// ---- a UBJSON writer for the same learner, with XGBoost's typed containers ----

const ubjInt = (n) => Buffer.concat([Buffer.from('l'), (() => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
})()])
const ubjKey = (text) => {
  const b = Buffer.from(text, 'utf8')
  return Buffer.concat([ubjInt(b.length), b])
}
const FLOAT_KEYS = new Set(['base_weights', 'loss_changes', 'split_conditions', 'sum_hessian'])
const BYTE_KEYS = new Set(['default_left', 'split_type'])

function ubj(value, name) {
  if (typeof value === 'string') return Buffer.concat([Buffer.from('S'), ubjKey(value)])
  if (typeof value === 'number') {
    const b = Buffer.alloc(8)
    b.writeDoubleBE(value)
    return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? ubjInt(value) : Buffer.concat([Buffer.from('D'), b])
  }
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'number')) {
      const [type, size, write] = FLOAT_KEYS.has(name)
        ? ['d', 4, (b, v, o) => b.writeFloatBE(v, o)]
        : BYTE_KEYS.has(name)
          ? ['U', 1, (b, v, o) => b.writeUInt8(v, o)]
          : ['l', 4, (b, v, o) => b.writeInt32BE(v, o)]
      const body = Buffer.alloc(value.length * size)
      value.forEach((v, i) => write(body, v, i * size))
      return Buffer.concat([Buffer.from(`[$${type}#`), ubjInt(value.length), body])
    }
    return Buffer.concat([Buffer.from('['), ...value.map((v) => ubj(v, name)), Buffer.from(']')])
  }
  const parts = [Buffer.from('{')]
  for (const [k, v] of Object.entries(value)) parts.push(ubjKey(k), ubj(v, k))
  parts.push(Buffer.from('}'))
  return Buffer.concat(parts)
}

/** An XGBoost UBJSON model (model.ubj) of about `bytes` bytes (depth-6 trees, ~4.7 KiB each). */
export function xgboostUbj(bytes, {depth = 6, features = 32, seed = 4} = {}) {
  const perTree = (2 ** (depth + 1) - 1) * 38
  const count = Math.max(1, Math.round(bytes / perTree))
  return {bytes: ubj(xgboostLearner(count, depth, features, seed)), width: features}
}

/** The generators by kind, and the model file name each writes. */
export const GENERATORS = {
  onnx: {file: 'model.onnx', make: onnxMlp, runtime: 'onnx'},
  sklearn: {file: 'model.onnx', make: onnxForest, runtime: 'sklearn'},
  xgboost: {file: 'model.json', make: xgboostJson, runtime: 'xgboost'},
  'xgboost-ubj': {file: 'model.ubj', make: xgboostUbj, runtime: 'xgboost'},
}
