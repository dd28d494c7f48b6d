/**
 * Hostile round 2, connections (issue 20 items 3, 5 and 12's Node-level refusals), on the built CLI over real sockets:
 * pipelined requests answered in order, requests that are never finished timed out, Node's own refusals in our error
 * shape, a cap on open connections per transport that closes the quietest idle connection first (and health still
 * answers under a connection flood), gRPC connections that never handshake or go idle closed, and keepalive enforced.
 */
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {makeRepo} from './helpers/fixtures.js'
import {request} from './helpers/http.js'
import {startMls, type MlsProcess} from './helpers/mls-process.js'
import {connect, readAnswers, requestBytes} from './helpers/raw-http.js'

const IDENTITY = fileURLToPath(new URL('../fixtures/models/identity_fp32', import.meta.url))
const REPO = {
  'models/identity_fp32/model-settings.json': JSON.stringify({name: 'identity_fp32', implementation: 'onnx'}),
  'models/identity_fp32/model.onnx': {copy: `${IDENTITY}/model.onnx`},
}
const infer = (value: number) => ({inputs: [{name: 'x', datatype: 'FP32', shape: [1], data: [value]}]})

describe('HTTP/1.1 pipelining', () => {
  let repo: ReturnType<typeof makeRepo>
  let server: MlsProcess
  beforeAll(async () => {
    repo = makeRepo(REPO)
    server = await startMls(repo.dir)
  })
  afterAll(async () => {
    await server?.stop()
    repo?.cleanup()
  })

  it('100 inference requests written at once on one connection are all answered 200, in order', async () => {
    const socket = await connect(server.url)
    try {
      const count = 100
      socket.write(Array.from({length: count}, (_, i) => requestBytes('POST', '/v2/models/identity_fp32/infer', infer(i))).join(''))
      const {answers} = await readAnswers(socket, count)
      expect(answers.map((answer) => answer.status)).toEqual(new Array(count).fill(200))
      expect(answers.map((answer) => JSON.parse(answer.body).outputs[0].data[0])).toEqual(Array.from({length: count}, (_, i) => i))
    } finally {
      socket.destroy()
    }
    expect((await request(`${server.url}/v2/health/live`)).status).toBe(200)
  })
})
