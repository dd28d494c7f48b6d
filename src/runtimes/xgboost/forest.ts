/**
 * A compiled XGBoost forest: every tree's nodes in flat typed arrays, walked per row. Facts (checked against
 * xgboost 1.7.4): node i is a leaf when left_children[i] == -1 and its value is split_conditions[i]; otherwise go left
 * when x[split_indices[i]] < split_conditions[i]; a missing value (NaN) goes left when default_left[i] is 1.
 * Every tree is checked to be a tree before it is compiled (tree-structure.ts), and the walk takes at most the deepest
 * tree's depth in steps even so: no model file can make an inference loop.
 */
import {checkTreeStructure} from './tree-structure.js'

export interface Forest {
  readonly left: Int32Array
  readonly right: Int32Array
  readonly feature: Int32Array
  /** Split threshold for inner nodes, leaf value for leaves (float32, as XGBoost stores them). */
  readonly value: Float32Array
  readonly defaultLeft: Uint8Array
  /** Root node index of each tree in the flat arrays. */
  readonly roots: Int32Array
  /** Output group (class) of each tree. */
  readonly group: Int32Array
  /** Per-tree weight (1 for gbtree; weight_drop for dart). */
  readonly weight: Float64Array
  /** The deepest tree's depth (edges from root to leaf): no walk takes more steps than this. */
  readonly maxDepth: number
}

/** One tree as XGBoost stores it; arrays are plain (JSON) or typed (UBJSON). */
export interface RawTree {
  left_children: ArrayLike<number>
  right_children: ArrayLike<number>
  split_indices: ArrayLike<number>
  split_conditions: ArrayLike<number>
  default_left: ArrayLike<number | boolean>
  split_type?: ArrayLike<number>
}

export const isArrayLike = (value: unknown): value is ArrayLike<unknown> =>
  Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView))

/** Compiles `trees` (tree i adds to output group groups[i] with weight weights[i]); throws `tree i: ...` on a malformed one. */
export function compileForest(trees: readonly RawTree[], groups: ArrayLike<number>, weights: ArrayLike<number>, groupCount: number): Forest {
  let total = 0
  trees.forEach((tree, t) => {
    if (tree === null || typeof tree !== 'object' || !isArrayLike(tree.left_children)) throw new Error(`tree ${t}: left_children is not an array`)
    const g = groups[t]
    if (!Number.isInteger(g) || g < 0 || g >= groupCount) throw new Error(`tree ${t}: tree_info ${g} is not an output group (0 to ${groupCount - 1})`)
    if (typeof weights[t] !== 'number' || !Number.isFinite(weights[t])) throw new Error(`tree ${t}: its weight (weight_drop) is not a finite number`)
    total += tree.left_children.length
  })
  const forest: Forest = {
    left: new Int32Array(total),
    right: new Int32Array(total),
    feature: new Int32Array(total),
    value: new Float32Array(total),
    defaultLeft: new Uint8Array(total),
    roots: new Int32Array(trees.length),
    group: Int32Array.from(groups),
    weight: Float64Array.from(weights),
    maxDepth: 0,
  }
  let maxDepth = 0
  let offset = 0
  trees.forEach((tree, t) => {
    const n = tree.left_children.length
    for (const key of ['right_children', 'split_indices', 'split_conditions', 'default_left'] as const) {
      if (!isArrayLike(tree[key]) || tree[key].length !== n) {
        throw new Error(`tree ${t}: ${key} has ${isArrayLike(tree[key]) ? tree[key].length : 'no'} entries, expected ${n}`)
      }
    }
    if (tree.split_type !== undefined && Array.prototype.some.call(tree.split_type, (type: number) => type !== 0)) {
      throw new Error(`tree ${t}: categorical splits are not supported`)
    }
    maxDepth = Math.max(maxDepth, checkTreeStructure(tree, t).depth)
    forest.roots[t] = offset
    for (let i = 0; i < n; i++) {
      const l = tree.left_children[i]
      const r = tree.right_children[i]
      forest.left[offset + i] = l === -1 ? -1 : offset + l
      forest.right[offset + i] = l === -1 ? -1 : offset + r
      forest.feature[offset + i] = tree.split_indices[i]
      forest.value[offset + i] = tree.split_conditions[i]
      forest.defaultLeft[offset + i] = tree.default_left[i] ? 1 : 0
    }
    offset += n
  })
  return {...forest, maxDepth}
}

/**
 * Adds every tree's leaf to the margins of its group, for rows of `cols` features (row-major). A feature index past the
 * row's end counts as missing. Each walk takes at most `maxDepth` steps: a forest that is not made of trees (compiled
 * by hand, or a checker's fault) throws instead of looping.
 */
export function accumulateMargins(forest: Forest, x: ArrayLike<number>, rows: number, cols: number, groups: number, margins: Float64Array): void {
  const {left, right, feature, value, defaultLeft, roots, group, weight, maxDepth} = forest
  for (let r = 0; r < rows; r++) {
    const base = r * cols
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]
      let steps = 0
      while (left[node] !== -1) {
        if (steps++ === maxDepth) throw new Error(`tree ${t}: no leaf within ${maxDepth} steps (the forest's depth); the model is malformed`)
        const f = feature[node]
        const v = f < cols ? x[base + f] : NaN
        node = v !== v ? (defaultLeft[node] ? left[node] : right[node]) : v < value[node] ? left[node] : right[node]
      }
      margins[r * groups + group[t]] += value[node] * weight[t]
    }
  }
}
