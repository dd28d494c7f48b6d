/**
 * A compiled XGBoost forest: every tree's nodes in flat typed arrays, walked per row. Facts (checked against
 * xgboost 1.7.4): node i is a leaf when left_children[i] == -1 and its value is split_conditions[i]; otherwise go left
 * when x[split_indices[i]] < split_conditions[i]; a missing value (NaN) goes left when default_left[i] is 1.
 */

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

export function compileForest(trees: readonly RawTree[], groups: ArrayLike<number>, weights: ArrayLike<number>): Forest {
  let total = 0
  for (const tree of trees) total += tree.left_children.length
  const forest: Forest = {
    left: new Int32Array(total),
    right: new Int32Array(total),
    feature: new Int32Array(total),
    value: new Float32Array(total),
    defaultLeft: new Uint8Array(total),
    roots: new Int32Array(trees.length),
    group: Int32Array.from(groups),
    weight: Float64Array.from(weights),
  }
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
    forest.roots[t] = offset
    for (let i = 0; i < n; i++) {
      const l = tree.left_children[i]
      const r = tree.right_children[i]
      if (l !== -1 && (l < 0 || l >= n || r < 0 || r >= n)) throw new Error(`tree ${t}: node ${i} has children out of range`)
      forest.left[offset + i] = l === -1 ? -1 : offset + l
      forest.right[offset + i] = l === -1 ? -1 : offset + r
      forest.feature[offset + i] = tree.split_indices[i]
      forest.value[offset + i] = tree.split_conditions[i]
      forest.defaultLeft[offset + i] = tree.default_left[i] ? 1 : 0
    }
    offset += n
  })
  return forest
}

/**
 * Adds every tree's leaf to the margins of its group, for rows of `cols` features (row-major). A feature index past the
 * row's end counts as missing.
 */
export function accumulateMargins(forest: Forest, x: ArrayLike<number>, rows: number, cols: number, groups: number, margins: Float64Array): void {
  const {left, right, feature, value, defaultLeft, roots, group, weight} = forest
  for (let r = 0; r < rows; r++) {
    const base = r * cols
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t]
      while (left[node] !== -1) {
        const f = feature[node]
        const v = f < cols ? x[base + f] : NaN
        node = v !== v ? (defaultLeft[node] ? left[node] : right[node]) : v < value[node] ? left[node] : right[node]
      }
      margins[r * groups + group[t]] += value[node] * weight[t]
    }
  }
}
