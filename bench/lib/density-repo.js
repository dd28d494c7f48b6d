// The density scenario's model repository: N small models (model_0000 … model_{N-1}) of several kinds and sizes,
// each in its own folder with a model-settings.json, and a one-row REST request body per model.
//
// Kinds (shares of N; a model's kind is drawn from a fixed-seed generator, so the same N gives the same repository):
// - onnx-tiny   (20%): bench/models/tiny (158 B, x [batch, 4] -> y), runtime onnx
// - svc         (15%): examples' mnist_sklearn SVC (190 KB ONNX), runtime sklearn (input `predict` [1, 64])
// - onnx-mlp    ( 4%): bench/models/mlp (1.2 MB, 64-512-512-10), runtime onnx
// - xgb-small   (38%): a generated XGBoost JSON forest, 5-20 trees of depth 2-4 (a few KB to tens of KB)
// - xgb-medium  (19%): 20-80 trees of depth 4-6 (about 40-250 KB)
// - xgb-large   ( 4%): 150-250 trees of depth 7-8 (about 1-3 MB)
// So most models are well under 1 MiB and a few (onnx-mlp, xgb-large) are over it.
//
// The XGBoost models are random forests in XGBoost's JSON format (save_model('model.json'), version 1.7.4's layout,
// as examples/multi-model/models/mushroom_xgboost/model.json): nodes in breadth-first order, leaves with both
// children -1 and their value in split_conditions, parents[0] = 2147483647. Objectives binary:logistic,
// reg:squarederror and multi:softprob (3 classes, tree_info = tree index mod 3).
import {copyFileSync, mkdirSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {root} from './util.js'

export const KINDS = [
  {kind: 'onnx-tiny', share: 0.2},
  {kind: 'svc', share: 0.15},
  {kind: 'onnx-mlp', share: 0.04},
  {kind: 'xgb-small', share: 0.38},
  {kind: 'xgb-medium', share: 0.19},
  {kind: 'xgb-large', share: 0.04},
]

const ONNX_SOURCES = {
  'onnx-tiny': {file: path.join(root, 'bench/models/tiny/model.onnx'), implementation: 'onnx', input: 'x', features: 4},
  svc: {file: path.join(root, 'examples/multi-model/models/mnist_sklearn/model.onnx'), implementation: 'sklearn', input: 'predict', features: 64},
  'onnx-mlp': {file: path.join(root, 'bench/models/mlp/model.onnx'), implementation: 'onnx', input: 'x', features: 64},
}
const XGB_SHAPES = {
  'xgb-small': {trees: [5, 20], depth: [2, 4], features: [8, 32]},
  'xgb-medium': {trees: [20, 80], depth: [4, 6], features: [16, 64]},
  'xgb-large': {trees: [150, 250], depth: [7, 8], features: [32, 128]},
}
const OBJECTIVES = ['binary:logistic', 'reg:squarederror', 'multi:softprob']

/** mulberry32: a small fixed-seed generator in [0, 1). */
export function seededRandom(seed) {
  let state = seed | 0
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const between = (random, [lo, hi]) => lo + Math.floor(random() * (hi - lo + 1))
// XGBoost writes float32 values in E notation ("-7.150529E-2"); any JSON number reads the same.
const f32 = (x) => Number(Math.fround(x).toPrecision(8))

/** One random tree of depth <= maxDepth over `features` features, in XGBoost's JSON layout (breadth-first). */
export function randomTree(random, id, maxDepth, features) {
  const nodes = [{depth: 0, parent: 2147483647}]
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]
    // The root always splits; below it a node splits with probability 0.85 until maxDepth.
    if (node.depth < maxDepth && (node.depth === 0 || random() < 0.85)) {
      node.left = nodes.length
      nodes.push({depth: node.depth + 1, parent: i})
      node.right = nodes.length
      nodes.push({depth: node.depth + 1, parent: i})
    }
  }
  const n = nodes.length
  const leaf = (node) => node.left === undefined
  return {
    base_weights: nodes.map(() => f32(random() * 2 - 1)),
    categories: [],
    categories_nodes: [],
    categories_segments: [],
    categories_sizes: [],
    default_left: nodes.map((node) => (leaf(node) ? 0 : random() < 0.5 ? 1 : 0)),
    id,
    left_children: nodes.map((node) => (leaf(node) ? -1 : node.left)),
    loss_changes: nodes.map((node) => (leaf(node) ? 0 : f32(random() * 1000))),
    parents: nodes.map((node) => node.parent),
    right_children: nodes.map((node) => (leaf(node) ? -1 : node.right)),
    // inner nodes: a threshold in the features' range [0, 1); leaves: the leaf value
    split_conditions: nodes.map((node) => f32(leaf(node) ? (random() * 2 - 1) * 0.3 : random())),
    split_indices: nodes.map((node) => (leaf(node) ? 0 : Math.floor(random() * features))),
    split_type: nodes.map(() => 0),
    sum_hessian: nodes.map(() => f32(1 + random() * 500)),
    tree_param: {num_deleted: '0', num_feature: String(features), num_nodes: String(n), size_leaf_vector: '0'},
  }
}

/** A random XGBoost JSON model (as an object) of the given shape. */
export function randomXGBoost(random, shape) {
  const trees = between(random, shape.trees)
  const features = between(random, shape.features)
  const objective = OBJECTIVES[Math.floor(random() * OBJECTIVES.length)]
  const classes = objective === 'multi:softprob' ? 3 : 0
  const forest = []
  for (let t = 0; t < trees; t++) forest.push(randomTree(random, t, between(random, shape.depth), features))
  return {
    model: {
      learner: {
        attributes: {},
        feature_names: [],
        feature_types: [],
        gradient_booster: {
          model: {
            gbtree_model_param: {num_parallel_tree: '1', num_trees: String(trees), size_leaf_vector: '0'},
            tree_info: forest.map((_, t) => (classes ? t % classes : 0)),
            trees: forest,
          },
          name: 'gbtree',
        },
        learner_model_param: {base_score: '5E-1', boost_from_average: '1', num_class: String(classes), num_feature: String(features), num_target: '1'},
        objective: {name: objective, ...(objective === 'binary:logistic' ? {reg_loss_param: {scale_pos_weight: '1'}} : {})},
      },
      version: [1, 7, 4],
    },
    features,
    trees,
    objective,
  }
}

/** The model name of index i: model_0000 … (4 digits, more when N > 10,000). */
export const modelName = (i, count) => `model_${String(i).padStart(Math.max(4, String(count - 1).length), '0')}`

/** Picks a kind for each of `count` models: exact shares (rounded), in a seeded shuffled order. */
function kindsFor(count, random) {
  const kinds = []
  KINDS.forEach(({kind, share}, k) => {
    const n = k === KINDS.length - 1 ? count - kinds.length : Math.round(share * count)
    for (let i = 0; i < n && kinds.length < count; i++) kinds.push(kind)
  })
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[kinds[i], kinds[j]] = [kinds[j], kinds[i]]
  }
  return kinds
}

/**
 * Writes `count` model folders into `dir` and returns the catalogue: per model its name, kind, runtime, file bytes,
 * the path of its infer endpoint and the JSON body of a one-row request (features in [0, 1) from the seed).
 * `settings` (an object) is written as dir/settings.json when given.
 */
export function writeDensityRepository(dir, {count = 1000, seed = 15, settings} = {}) {
  const random = seededRandom(seed)
  mkdirSync(dir, {recursive: true})
  const kinds = kindsFor(count, random)
  const models = []
  for (let i = 0; i < count; i++) {
    const name = modelName(i, count)
    const kind = kinds[i]
    const folder = path.join(dir, name)
    mkdirSync(folder, {recursive: true})
    let implementation, input, features, file, detail
    if (ONNX_SOURCES[kind]) {
      ;({implementation, input, features} = ONNX_SOURCES[kind])
      file = path.join(folder, 'model.onnx')
      copyFileSync(ONNX_SOURCES[kind].file, file)
      detail = path.relative(root, ONNX_SOURCES[kind].file)
    } else {
      const xgb = randomXGBoost(random, XGB_SHAPES[kind])
      implementation = 'xgboost'
      input = 'input'
      features = xgb.features
      file = path.join(folder, 'model.json')
      writeFileSync(file, JSON.stringify(xgb.model))
      detail = `${xgb.trees} trees, ${xgb.features} features, ${xgb.objective}`
    }
    writeFileSync(path.join(folder, 'model-settings.json'), JSON.stringify({name, implementation}, null, 2) + '\n')
    const row = Array.from({length: features}, () => f32(random()))
    const body = JSON.stringify({inputs: [{name: input, shape: [1, features], datatype: 'FP32', data: row}]})
    models.push({name, kind, implementation, fileBytes: statSync(file).size, detail, path: `/v2/models/${name}/infer`, body})
  }
  if (settings) writeSettings(dir, settings)
  return models
}

/** (Re)writes dir/settings.json. */
export function writeSettings(dir, settings) {
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n')
}

/** Per kind: how many models and their file bytes (total, min, max), for the log. */
export function describeRepository(models) {
  const byKind = new Map()
  for (const m of models) {
    const k = byKind.get(m.kind) ?? {kind: m.kind, count: 0, bytes: 0, min: Infinity, max: 0}
    k.count++
    k.bytes += m.fileBytes
    k.min = Math.min(k.min, m.fileBytes)
    k.max = Math.max(k.max, m.fileBytes)
    byKind.set(m.kind, k)
  }
  return [...byKind.values()]
}
