/**
 * Hostile model files: an XGBoost model whose trees are not trees. A child index in range that points back to an
 * earlier node made the walker loop forever on the first inference (the event loop held: health, gRPC, metrics and
 * SIGTERM all stopped answering), and an empty tree made it walk off the end of the forest the same way. Each file
 * here is made from the example's real model (model.json, and the fixture model.ubj patched in place) with one
 * mutation; the server loads them all beside the untouched model. Each must be UNAVAILABLE with a reason naming the
 * file, the tree and the node; the good model keeps answering, over REST (inject) and gRPC.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {Forest} from '../../src/runtimes/xgboost/forest.js'
import {decodeUbjson} from '../../src/runtimes/xgboost/ubjson.js'
import {MUSHROOM_DIR, makeRepo, readTestSet, rowRequest, type RepoFiles} from '../e2e/helpers/fixtures.js'
import {call, failure, inferenceClient, repositoryClient} from '../e2e/helpers/grpc-client.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const MODEL_JSON = readFileSync(path.join(MUSHROOM_DIR, 'model.json'), 'utf8')
const MODEL_UBJ = readFileSync(path.resolve('test/fixtures/models-xgboost/mushroom_ubj/model.ubj'))
const testSet = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))

interface Tree {
  left_children: number[]
  right_children: number[]
  split_indices: number[]
  split_conditions: number[]
  default_left: number[]
  [key: string]: unknown
}

/** The example model with `mutate` applied to its trees (tree 0: node 0 -> 1, 2; node 1 -> 3, 4; node 2 -> 5, 6). */
function mutatedJson(mutate: (trees: Tree[]) => void): string {
  const model = JSON.parse(MODEL_JSON)
  mutate(model.learner.gradient_booster.model.trees)
  return JSON.stringify(model)
}

/**
 * The fixture model.ubj with element `index` of the `occurrence`-th `key` array (an optimized int32 array,
 * `[$l#L` and an 8-byte count) set to `value`, in place: the rest of the file is byte for byte XGBoost's.
 */
function patchedUbj(key: string, occurrence: number, index: number, value: number): Buffer {
  const bytes = Buffer.from(MODEL_UBJ)
  let at = -1
  for (let k = 0; k <= occurrence; k++) at = bytes.indexOf(key, at + 1, 'latin1')
  const header = at + key.length
  expect(bytes.toString('latin1', header, header + 5)).toBe('[$l#L')
  const count = Number(bytes.readBigInt64BE(header + 5))
  expect(index).toBeLessThan(count)
  bytes.writeInt32BE(value, header + 13 + 4 * index)
  return bytes
}

/** A leaf appended to tree 0 that no node points to. */
function addUnreachableLeaf(trees: Tree[]): void {
  const tree = trees[0]
  tree.left_children.push(-1)
  tree.right_children.push(-1)
  tree.split_indices.push(0)
  tree.split_conditions.push(0.5)
  tree.default_left.push(0)
  for (const key of ['parents', 'base_weights', 'loss_changes', 'sum_hessian', 'split_type']) if (Array.isArray(tree[key])) (tree[key] as number[]).push(0)
  ;(tree.tree_param as Record<string, string>).num_nodes = '8'
}

interface BadFile {
  readonly model: string
  readonly file: 'model.json' | 'model.ubj'
  readonly content: string | Buffer
  /** The reason after "<path of the file>: ". */
  readonly reason: RegExp
}

const BAD: BadFile[] = [
  {model: 'self_loop', file: 'model.json', content: mutatedJson((t) => (t[0].left_children[1] = 1)), reason: /^tree 0: node 1: left child 1 is the node itself \(a cycle\)$/},
  {model: 'back_edge_to_root', file: 'model.json', content: mutatedJson((t) => (t[0].right_children[2] = 0)), reason: /^tree 0: node 2: right child 0 is an ancestor of node 2 \(a cycle back to the root\)$/},
  {model: 'back_edge_in_tree_1', file: 'model.json', content: mutatedJson((t) => (t[1].left_children[t[1].left_children.findLastIndex((c) => c !== -1)] = 0)), reason: /^tree 1: node \d: left child 0 is an ancestor of node \d \(a cycle back to the root\)$/},
  {model: 'shared_child', file: 'model.json', content: mutatedJson((t) => (t[0].left_children[2] = 3)), reason: /^tree 0: node 1: left child 3 is already a child of node 2 \(a node has one parent\)$/},
  {model: 'out_of_range', file: 'model.json', content: mutatedJson((t) => (t[0].right_children[1] = 7)), reason: /^tree 0: node 1: right child 7 is out of range \(the tree has 7 nodes, 0 to 6\)$/},
  {model: 'negative_child', file: 'model.json', content: mutatedJson((t) => (t[0].right_children[1] = -2)), reason: /^tree 0: node 1: right child -2 is out of range/},
  {model: 'fractional_child', file: 'model.json', content: mutatedJson((t) => (t[0].left_children[0] = 1.5)), reason: /^tree 0: node 0: left child 1.5 is out of range/},
  {model: 'unreachable_node', file: 'model.json', content: mutatedJson(addUnreachableLeaf), reason: /^tree 0: node 7: not reached from the root \(1 of 8 nodes are unreachable\)$/},
  {model: 'half_leaf', file: 'model.json', content: mutatedJson((t) => (t[0].left_children[1] = -1)), reason: /^tree 0: node 1: a leaf has both children -1, found left -1 and right 4$/},
  {model: 'nan_leaf', file: 'model.json', content: mutatedJson((t) => ((t[0].split_conditions as unknown[])[3] = 'NaN')), reason: /^tree 0: node 3: a leaf's value \(split_conditions\) must be a finite number, found "NaN"$/},
  {model: 'negative_feature', file: 'model.json', content: mutatedJson((t) => (t[0].split_indices[0] = -1)), reason: /^tree 0: node 0: split_indices must be a feature index/},
  {
    model: 'empty_tree',
    file: 'model.json',
    content: mutatedJson((t) => {
      for (const key of ['left_children', 'right_children', 'split_indices', 'split_conditions', 'default_left']) t[1][key] = []
      delete t[1].split_type
    }),
    reason: /^tree 1: has no nodes/,
  },
  {model: 'ubj_self_loop', file: 'model.ubj', content: patchedUbj('left_children', 0, 1, 1), reason: /^tree 0: node 1: left child 1 is the node itself \(a cycle\)$/},
  {model: 'ubj_back_edge', file: 'model.ubj', content: patchedUbj('right_children', 0, 2, 0), reason: /^tree 0: node 2: right child 0 is an ancestor of node 2 \(a cycle back to the root\)$/},
  {model: 'ubj_shared_child', file: 'model.ubj', content: patchedUbj('left_children', 0, 2, 3), reason: /^tree 0: node 1: left child 3 is already a child of node 2 \(a node has one parent\)$/},
  {model: 'ubj_out_of_range', file: 'model.ubj', content: patchedUbj('right_children', 1, 0, 1_000_000), reason: /^tree 1: node 0: right child 1000000 is out of range \(the tree has \d nodes/},
  // 14 bytes announcing 2^40 nulls, each taking no byte: the decoder once pushed nulls until memory ran out.
  {model: 'ubj_count_bomb', file: 'model.ubj', content: Buffer.from([0x5b, 0x24, 0x5a, 0x23, 0x4c, 0, 0, 0x01, 0, 0, 0, 0, 0, 0x5d]), reason: /^not valid UBJSON at byte 13: length 1099511627776 is more than the 1 bytes left$/},
]

const settingsOf = (file: string) => JSON.stringify({implementation: 'xgboost', parameters: {uri: `./${file}`}})

let server: InProcessServer
let repo: ReturnType<typeof makeRepo>
let client: ReturnType<typeof inferenceClient>
let repository: ReturnType<typeof repositoryClient>
const fileOf = (bad: BadFile) => path.join(repo.dir, bad.model, bad.file)
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** The reason the server must give: the file's path, then the fault. */
/** The file as clients see it: relative to the repository root (the log keeps the absolute path). */
const shownOf = (bad: BadFile) => path.join(bad.model, bad.file)
const reasonOf = (bad: BadFile) => new RegExp(`^${escape(shownOf(bad))}: ${bad.reason.source.slice(1)}`)

beforeAll(async () => {
  const files: RepoFiles = {'good/model-settings.json': settingsOf('model.json'), 'good/model.json': MODEL_JSON}
  for (const bad of BAD) files[`${bad.model}/model-settings.json`] = settingsOf(bad.file)
  repo = makeRepo(files)
  for (const bad of BAD) writeFileSync(fileOf(bad), bad.content)
  server = await startInProcess(repo.dir, {flags: {shutdown_grace_period: 1}})
  client = inferenceClient(server.grpcAddress)
  repository = repositoryClient(server.grpcAddress)
}, 60_000)
afterAll(async () => {
  client?.close()
  repository?.close()
  try {
    await server?.close()
  } finally {
    repo?.cleanup()
  }
})

/** The good model answers row `row` of the example's test set with xgboost's own prediction. */
async function goodAnswers(row = 0): Promise<void> {
  const res = await server.postJson('/v2/models/good/infer', rowRequest(testSet, row))
  expect(res.status).toBe(200)
  expect(res.body.outputs[0].data[0]).toBeCloseTo(testSet.expected.predict[row], 6)
}

describe('XGBoost files whose trees are not trees: UNAVAILABLE with the file, tree and node', () => {
  it('the index lists every bad file UNAVAILABLE with its reason, and the good model READY (REST)', async () => {
    const res = await server.postJson('/v2/repository/index', {})
    expect(res.status).toBe(200)
    const byName = new Map((res.body as Array<{name: string; state: string; reason: string}>).map((m) => [m.name, m]))
    expect(byName.get('good')).toMatchObject({state: 'READY', reason: ''})
    for (const bad of BAD) {
      expect(byName.get(bad.model)?.state, bad.model).toBe('UNAVAILABLE')
      expect(byName.get(bad.model)?.reason, bad.model).toMatch(reasonOf(bad))
    }
  })

  for (const bad of BAD) {
    it(`${bad.model} (${bad.file}): REST metadata and infer are 404 MODEL_UNAVAILABLE with the reason; a load again is 400 MODEL_LOAD_FAILED`, async () => {
      const metadata = await server.request(`/v2/models/${bad.model}`)
      expect(metadata.status).toBe(404)
      expect(metadata.body).toEqual({code: 'MODEL_UNAVAILABLE', error: expect.stringContaining(`failed to load: ${shownOf(bad)}: `)})
      const infer = await server.postJson(`/v2/models/${bad.model}/infer`, rowRequest(testSet, 0))
      expect(infer.status).toBe(404)
      expect(infer.body.code).toBe('MODEL_UNAVAILABLE')
      expect(infer.body.error.split('failed to load: ')[1]).toMatch(reasonOf(bad))
      const load = await server.request(`/v2/repository/models/${bad.model}/load`, {method: 'POST'})
      expect(load.status).toBe(400)
      expect(load.body.code).toBe('MODEL_LOAD_FAILED')
      expect(load.body.error).toContain(shownOf(bad))
      expect(load.body.error).not.toContain(repo.dir)
      await goodAnswers(1)
    })
  }

  it('over gRPC: the index, ModelReady, ModelMetadata, ModelInfer and RepositoryModelLoad say the same', async () => {
    const index = await call(repository, 'RepositoryIndex', {})
    const byName = new Map((index.models as Array<{name: string; state: string; reason: string}>).map((m) => [m.name, m]))
    for (const bad of BAD) {
      expect(byName.get(bad.model)?.state, bad.model).toBe('UNAVAILABLE')
      expect(byName.get(bad.model)?.reason, bad.model).toMatch(reasonOf(bad))
      expect((await call(client, 'ModelReady', {name: bad.model})).ready).toBe(false)
      const metadata = await failure(client, 'ModelMetadata', {name: bad.model})
      expect(metadata).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_UNAVAILABLE'})
      expect(metadata.details.split('failed to load: ')[1]).toMatch(reasonOf(bad))
      const infer = await failure(client, 'ModelInfer', {model_name: bad.model, inputs: [{name: 'predict', datatype: 'FP32', shape: [1, 126], contents: {fp32s: Array(126).fill(0)}}]})
      expect(infer).toMatchObject({code: 'NOT_FOUND', errorCode: 'MODEL_UNAVAILABLE'})
      const load = await failure(repository, 'RepositoryModelLoad', {model_name: bad.model})
      expect(load).toMatchObject({code: 'INVALID_ARGUMENT', errorCode: 'MODEL_LOAD_FAILED'})
      expect(load.details).toContain(shownOf(bad))
    }
    const row = rowRequest(testSet, 2).inputs[0]
    const answer = await call(client, 'ModelInfer', {model_name: 'good', inputs: [{name: 'predict', datatype: 'FP32', shape: row.shape, contents: {fp32s: row.data}}]})
    expect(answer.outputs[0].contents.fp32s[0]).toBeCloseTo(testSet.expected.predict[2], 6)
  })

  it('a bad file fixed in place loads READY and answers; made bad again, the reload keeps the good instance', async () => {
    const bad = BAD[0]
    writeFileSync(fileOf(bad), MODEL_JSON)
    expect((await server.request(`/v2/repository/models/${bad.model}/load`, {method: 'POST'})).status).toBe(200)
    const fixed = await server.postJson(`/v2/models/${bad.model}/infer`, rowRequest(testSet, 3))
    expect(fixed.body.outputs[0].data[0]).toBeCloseTo(testSet.expected.predict[3], 6)
    writeFileSync(fileOf(bad), bad.content)
    const reload = await server.request(`/v2/repository/models/${bad.model}/load`, {method: 'POST'})
    expect(reload.status).toBe(400)
    expect(reload.body.error).toMatch(/left child 1 is the node itself \(a cycle\)/)
    const still = await server.postJson(`/v2/models/${bad.model}/infer`, rowRequest(testSet, 4))
    expect(still.body.outputs[0].data[0]).toBeCloseTo(testSet.expected.predict[4], 6)
  })
})

describe('the tree walker itself cannot loop (defence in depth)', () => {
  /**
   * Runs the real accumulateMargins (src/runtimes/xgboost/forest.ts, loaded with tsx) on `forest` in a thread of its
   * own, so that a walker that loops is terminated after 10 s instead of holding the test: the thread's error message,
   * 'returned', or 'looped'.
   */
  async function walkInThread(forest: Forest): Promise<string> {
    const thread = new Worker(
      `const {parentPort, workerData} = require('node:worker_threads')
      import('tsx/esm/api')
        .then(({tsImport}) => tsImport(workerData.module, workerData.parent))
        .then(({accumulateMargins}) => {
          try {
            accumulateMargins(workerData.forest, [1], 1, 1, 1, new Float64Array(1))
            parentPort.postMessage('returned')
          } catch (error) {
            parentPort.postMessage(error.message)
          }
        })`,
      {eval: true, workerData: {forest, module: pathToFileURL(path.resolve('src/runtimes/xgboost/forest.ts')).href, parent: import.meta.url}},
    )
    try {
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => resolve('looped'), 10_000)
        thread.once('message', (message: string) => (clearTimeout(timer), resolve(message)))
        thread.once('error', (error) => (clearTimeout(timer), reject(error)))
      })
    } finally {
      await thread.terminate()
    }
  }

  // Node 0 splits on feature 0 and both its children are node 0 itself: a forest compiled by hand, past the checks.
  const cycle: Forest = {
    left: Int32Array.of(0),
    right: Int32Array.of(0),
    feature: Int32Array.of(0),
    value: Float32Array.of(0.5),
    defaultLeft: Uint8Array.of(1),
    roots: Int32Array.of(0),
    group: Int32Array.of(0),
    weight: Float64Array.of(1),
    maxDepth: 3,
  }

  it('a forest whose arrays form a cycle throws after maxDepth steps', async () => {
    expect(await walkInThread(cycle)).toMatch(/^tree 0: no leaf within 3 steps \(the forest's depth\); the model is malformed$/)
  }, 20_000)

  it('a root past the end of the arrays (an empty last tree) throws the same way instead of reading undefined forever', async () => {
    expect(await walkInThread({...cycle, roots: Int32Array.of(1)})).toMatch(/^tree 0: no leaf within 3 steps/)
  }, 20_000)

  it('the decoded fixture model.ubj is what the patches above assume (tree 0 has nodes 0 -> 1, 2; 1 -> 3, 4; 2 -> 5, 6)', () => {
    const trees = (decodeUbjson(MODEL_UBJ) as any).learner.gradient_booster.model.trees
    expect(Array.from(trees[0].left_children)).toEqual([1, 3, 5, -1, -1, -1, -1])
    expect(Array.from(trees[0].right_children)).toEqual([2, 4, 6, -1, -1, -1, -1])
  })
})
