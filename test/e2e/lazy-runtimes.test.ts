/**
 * onnxruntime-node (a native module) is loaded only by a process that serves an ONNX or sklearn model: not by a server
 * whose repository has none, nor by `mls --version`, `mls --help` or `mls repo list`. Each process runs with a preload
 * (helpers/record-loads.mjs) that records the native and CommonJS modules it loaded.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MUSHROOM_DIR, makeRepo, type RepoFiles} from './helpers/fixtures.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'

const PRELOAD = new URL('./helpers/record-loads.mjs', import.meta.url).href
const ONNXRUNTIME = `${path.sep}onnxruntime-node${path.sep}`

let records: string
let count = 0
let repo: {dir: string; cleanup(): void}
/** A repository with the example's XGBoost model alone. */
const XGBOOST_ONLY: RepoFiles = {
  'mushroom_xgboost/model-settings.json': {copy: path.join(MUSHROOM_DIR, 'model-settings.json')},
  'mushroom_xgboost/model.json': {copy: path.join(MUSHROOM_DIR, 'model.json')},
}

/** The environment that makes a process record what it loads, in a file of its own. */
function recording(): {env: Record<string, string>; read(): {native: string[]; commonjs: string[]}} {
  const file = path.join(records, `loads-${++count}.jsonl`)
  const env = {NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PRELOAD}`.trim(), MLS_TEST_LOAD_RECORD: file}
  const read = () => {
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as {native: string[]; commonjs: string[]})
    return {native: lines.flatMap((l) => l.native), commonjs: lines.flatMap((l) => l.commonjs)}
  }
  return {env, read}
}

const onnxruntimeIn = (loads: {native: string[]; commonjs: string[]}) => [...loads.native, ...loads.commonjs].filter((file) => file.includes(ONNXRUNTIME))

beforeAll(() => {
  repo = makeRepo(XGBOOST_ONLY)
  records = mkdtempSync(path.join(tmpdir(), 'mls-loads-'))
})

afterAll(() => {
  repo?.cleanup()
  rmSync(records, {recursive: true, force: true})
})

describe('onnxruntime-node is loaded only to serve an ONNX model', () => {
  let server: MlsProcess | undefined
  afterAll(async () => {
    await server?.stop()
  })

  it('a server with only an XGBoost model serves it without loading onnxruntime-node, and so does `mls repo list` against it', async () => {
    const serving = recording()
    server = await startMls(repo.dir, {env: serving.env})
    await server.expectLog('1 of 1 model version(s) ready')

    const listing = recording()
    const list = await runMls(['repo', 'list', '--url', server.url], listing.env)
    expect(list.code).toBe(0)
    expect(list.stdout).toContain('mushroom_xgboost')
    expect(onnxruntimeIn(listing.read())).toEqual([])

    expect(await server.stop()).toBe(0)
    server = undefined
    const loads = serving.read()
    // The record is a real one: the server's own modules are in it.
    expect(loads.commonjs.some((file) => file.includes(`${path.sep}fastify${path.sep}`))).toBe(true)
    expect(onnxruntimeIn(loads)).toEqual([])
  })

  it('`mls --version` and `mls --help` do not load it', async () => {
    for (const args of [['--version'], ['--help']]) {
      const run = recording()
      const result = await runMls(args, run.env)
      expect(result.code).toBe(0)
      expect(onnxruntimeIn(run.read())).toEqual([])
    }
  })

  it('a server with an ONNX model loads it (the same record shows it when it is there)', async () => {
    const serving = recording()
    const example = await startMls(EXAMPLE, {env: serving.env})
    await example.expectLog('2 of 2 model version(s) ready')
    expect(await example.stop()).toBe(0)
    const loaded = serving.read()
    expect(loaded.native.filter((file) => file.includes(ONNXRUNTIME) && file.endsWith('onnxruntime_binding.node'))).toHaveLength(1)
  })
})
