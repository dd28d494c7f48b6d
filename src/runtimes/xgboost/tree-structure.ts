/**
 * The structure of one XGBoost tree, checked before it is compiled: a model file decides where the walker goes next,
 * so a tree whose child indices form a loop (in range, but pointing back to an earlier node) would make the first
 * inference spin forever. A tree is accepted only when it is a tree: every node is reached exactly once from the root
 * (node 0), with no cycle, no child shared by two parents and no node left unreached; children are integer indices in
 * range; a leaf has both children -1 and a finite value; an inner node splits on a non-negative integer feature. Its
 * depth is then at most its node count - 1, which is the bound the walker uses (forest.ts).
 */
import type {RawTree} from './forest.js'

/** What a walk of an accepted tree needs to know: how deep it can go (edges from the root to its deepest leaf). */
export interface TreeShape {
  readonly depth: number
}

/** Feature indices are stored as int32 (as XGBoost's bst_feature_t, unsigned 32-bit, fits in practice). */
const MAX_FEATURE = 0x7fffffff

const describe = (value: unknown): string => (typeof value === 'number' ? String(value) : value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value))

/**
 * Walks tree `t` from its root once (an explicit stack: a degenerate tree as deep as it has nodes does not overflow
 * the call stack), throwing `tree t: node i: ...` at the first node that breaks the rules above.
 */
export function checkTreeStructure(tree: RawTree, t: number): TreeShape {
  const {left_children: left, right_children: right, split_indices: feature, split_conditions: value} = tree
  const n = left.length
  if (n === 0) throw new Error(`tree ${t}: has no nodes (a tree has at least its root)`)
  const fail = (node: number, message: string): never => {
    throw new Error(`tree ${t}: node ${node}: ${message}`)
  }
  // parent[i]: -2 not reached yet, -1 the root, else the node it was reached from.
  const parent = new Int32Array(n).fill(-2)
  const depth = new Int32Array(n)
  parent[0] = -1
  let reached = 1
  let deepest = 0
  const stack = [0]
  /** True when `node` is on the path from the root to `from` (itself included): an edge to it closes a cycle. */
  const onPath = (node: number, from: number): boolean => {
    for (let at = from; at !== -1; at = parent[at]) if (at === node) return true
    return false
  }
  while (stack.length > 0) {
    const i = stack.pop()!
    const l = left[i]
    const r = right[i]
    if (l === -1 || r === -1) {
      if (l !== r) fail(i, `a leaf has both children -1, found left ${describe(l)} and right ${describe(r)}`)
      if (typeof value[i] !== 'number' || !Number.isFinite(value[i])) fail(i, `a leaf's value (split_conditions) must be a finite number, found ${describe(value[i])}`)
      continue
    }
    const f = feature[i]
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f > MAX_FEATURE) fail(i, `split_indices must be a feature index (an integer from 0 to ${MAX_FEATURE}), found ${describe(f)}`)
    if (typeof value[i] !== 'number' || Number.isNaN(value[i])) fail(i, `split_conditions must be a number, found ${describe(value[i])}`)
    for (const [side, c] of [['left', l], ['right', r]] as const) {
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= n) {
        fail(i, `${side} child ${describe(c)} is out of range (the tree has ${n} nodes, 0 to ${n - 1})`)
      }
      if (parent[c] !== -2) {
        if (c === i) fail(i, `${side} child ${c} is the node itself (a cycle)`)
        if (onPath(c, i)) fail(i, `${side} child ${c} is an ancestor of node ${i} (a cycle back to ${c === 0 ? 'the root' : `node ${c}`})`)
        fail(i, `${side} child ${c} is already a child of node ${parent[c]} (a node has one parent)`)
      }
      parent[c] = i
      depth[c] = depth[i] + 1
      if (depth[c] > deepest) deepest = depth[c]
      reached++
      stack.push(c)
    }
  }
  if (reached < n) {
    const lost = parent.findIndex((p) => p === -2)
    fail(lost, `not reached from the root (${n - reached} of ${n} nodes are unreachable)`)
  }
  return {depth: deepest}
}
