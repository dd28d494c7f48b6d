/**
 * `mls start --watch` on a temporary copy of the example: a model folder added becomes READY; a changed model file is
 * reloaded with no failed request under light traffic; a broken model-settings.json keeps the old version serving
 * with the reason reported; a deleted model folder is unloaded. And --watch with several processes is refused.
 * Every wait polls with a bounded timeout: nothing is timed.
 */
import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson} from './helpers/http.js'
import {runMls, startMls, type MlsProcess} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))
const logit = (p: number) => Math.log(p / (1 - p))
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))
/** Long enough for a loaded 2-core machine; a poll ends as soon as its condition holds. */
const WAIT = {timeout: 20_000, interval: 50}

let dir: string
let server: MlsProcess
const at = (relative: string) => path.join(dir, relative)
const index = async () => (await postJson(server.url + '/v2/repository/index', {})).body as Array<{name: string; version?: string; state: string; reason: string}>
const infer = (model: string, body: unknown) => postJson(server.url + `/v2/models/${model}/infer`, body)

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mls-watch-e2e-'))
  cpSync(path.join(EXAMPLE, 'models'), at('models'), {recursive: true})
  cpSync(path.join(EXAMPLE, 'settings.json'), at('settings.json'))
  server = await startMls(dir, {args: ['--watch']})
})

afterAll(async () => {
  try {
    expect(await server?.stop()).toBe(0)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

describe('mls start --watch', () => {
  it('a model folder added becomes READY and serves', async () => {
    mkdirSync(at('models/digits'))
    cpSync(path.join(MNIST_DIR, 'model.onnx'), at('models/digits/model.onnx'))
    writeFileSync(at('models/digits/model-settings.json'), JSON.stringify({name: 'digits', implementation: 'sklearn', parameters: {version: 'v1'}}))
    await vi.waitFor(async () => expect((await index()).find((m) => m.name === 'digits')).toMatchObject({version: 'v1', state: 'READY'}), WAIT)
    const answer = await infer('digits', rowRequest(mnist, 3))
    expect(answer.status).toBe(200)
    expect(answer.body.outputs[0].data).toEqual([mnist.expected.predict[3]])
    await server.expectLog(/watch: loading model "digits" version "v1" .*event=watch_load model=digits version=v1 reason="models\/digits\/model-settings.json added"/)
  })

  it('a changed model file is reloaded with no failed request under light traffic', async () => {
    const row = rowRequest(mushroom, 0)
    const before = mushroom.expected.predict[0]
    // The same trees with another base score: every prediction moves by logit(0.9) in margin.
    const after = sigmoid(logit(before) + logit(0.9))
    const answers: number[] = []
    /** Each client's answers in order (a client sends its next request once it has the answer). */
    const sequences: number[][] = [[], []]
    const failures: string[] = []
    let stop = false
    const client = async (sequence: number[]) => {
      // Bounded: stops when told, or after 5000 requests whatever happens.
      for (let i = 0; i < 5000 && !stop; i++) {
        const answer = await infer('mushroom_xgboost', row)
        if (answer.status === 200) {
          answers.push(answer.body.outputs[0].data[0])
          sequence.push(answer.body.outputs[0].data[0])
        } else failures.push(`${answer.status} ${answer.text}`)
      }
    }
    const clients = sequences.map(client)
    try {
      await vi.waitFor(() => expect(answers.length).toBeGreaterThanOrEqual(20), WAIT)
      const model = JSON.parse(readFileSync(path.join(MUSHROOM_DIR, 'model.json'), 'utf8'))
      model.learner.learner_model_param.base_score = '9E-1'
      writeFileSync(at('models/mushroom_xgboost/model.json'), JSON.stringify(model))
      await vi.waitFor(() => expect(answers.filter((p) => Math.abs(p - after) < 1e-5).length).toBeGreaterThanOrEqual(20), WAIT)
    } finally {
      stop = true
      await Promise.all(clients)
    }
    expect(failures).toEqual([])
    // Every answer came from the old model or the new one; once a client saw the new one, it saw only the new one.
    const isNew = (p: number) => Math.abs(p - after) < 1e-5
    expect(answers.every((p) => isNew(p) || Math.abs(p - before) < 1e-6)).toBe(true)
    expect(answers.some((p) => !isNew(p))).toBe(true)
    for (const sequence of sequences) {
      const first = sequence.findIndex(isNew)
      if (first >= 0) expect(sequence.slice(first).every(isNew)).toBe(true)
    }
    await server.expectLog(/watch: reloading model "mushroom_xgboost" version "v2\.0\.0" .*reason="models\/mushroom_xgboost\/model\.json changed"/)
    await server.expectLog(/model "mushroom_xgboost" version "v2\.0\.0" reloaded/)
    // Nothing else was reloaded.
    expect(server.logs()).not.toMatch(/model (mnist_sklearn|digits)\S* reloaded/)
  })

  it('a broken model-settings.json keeps the old version serving and reports why', async () => {
    writeFileSync(at('models/mushroom_xgboost/model-settings.json'), '{"name": "mushroom_xgboost", "parameters": {')
    await vi.waitFor(async () => {
      const item = (await index()).find((m) => m.name === 'mushroom_xgboost')
      expect(item).toMatchObject({state: 'READY', reason: expect.stringMatching(/^reload failed, the previous instance keeps serving: .*model-settings\.json: not valid JSON/)})
    }, WAIT)
    const answer = await infer('mushroom_xgboost', rowRequest(mushroom, 0))
    expect(answer.status).toBe(200)
    expect(answer.body.outputs[0].data[0]).toBeCloseTo(sigmoid(logit(mushroom.expected.predict[0]) + logit(0.9)), 5)
    await server.expectLog(/ERROR model "mushroom_xgboost" version "v2\.0\.0" failed to reload \(the previous instance keeps serving\) .*reason=".*not valid JSON/)
  })

  it('a deleted model folder is unloaded and leaves the repository; the others keep serving', async () => {
    rmSync(at('models/digits'), {recursive: true})
    await vi.waitFor(async () => expect((await index()).map((m) => m.name)).not.toContain('digits'), WAIT)
    const refused = await infer('digits', rowRequest(mnist, 0))
    expect(refused.status).toBe(404)
    expect(refused.body.code).toBe('MODEL_NOT_FOUND')
    await server.expectLog(/watch: unloading model "digits" version "v1" .*event=watch_unload model=digits version=v1 reason="models\/digits\/model-settings.json is gone"/)
    await server.expectLog(/model "digits" version "v1" unloaded/)
    expect((await index()).filter((m) => m.state === 'READY').map((m) => m.name).sort()).toEqual(['mnist_sklearn', 'mushroom_xgboost'])
    expect((await infer('mnist_sklearn', rowRequest(mnist, 0))).body.outputs[0].data).toEqual([mnist.expected.predict[0]])
    // Its state series left the metrics with it.
    const metrics = await (await fetch(server.metricsUrl!)).text()
    expect(metrics).toContain('model_state{model="mnist_sklearn"')
    expect(metrics).not.toContain('model_state{model="digits"')
  })

  it('refuses --watch with more than one process', async () => {
    const result = await runMls(['start', dir, '--watch', '--processes', '2', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('mls start: --watch works with one process, and processes is 2')
  })
})
