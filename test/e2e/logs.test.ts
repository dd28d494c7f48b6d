/** Server logs: JSON lines with use_structured_logging, model events with their fields, access logs only with debug. */
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {startMls} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

describe('logs', () => {
  it('are one JSON object per line with use_structured_logging, with model events and access logs under debug', async () => {
    const server = await startMls(EXAMPLE, {env: {MLS_USE_STRUCTURED_LOGGING: 'true'}, args: ['--debug']})
    try {
      await postJson(server.url + '/v2/models/mnist_sklearn/infer', rowRequest(mnist, 0))
      await request(server.url + '/v2/repository/models/mushroom_xgboost/unload', {method: 'POST'})
      await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      await server.stop()
    }
    const lines = server.logs().trim().split('\n')
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(events.every((e) => typeof e.time === 'string' && typeof e.level === 'string' && typeof e.msg === 'string')).toBe(true)
    expect(events).toContainEqual(expect.objectContaining({event: 'model_loaded', model: 'mnist_sklearn', version: 'v1.0.0', duration_ms: expect.any(Number)}))
    expect(events).toContainEqual(expect.objectContaining({event: 'model_unloaded', model: 'mushroom_xgboost', version: 'v2.0.0'}))
    expect(events).toContainEqual(expect.objectContaining({event: 'http_request', method: 'POST', url: '/v2/models/mnist_sklearn/infer', status: 200}))
  })

  it('have no access lines without debug, and say why a model failed', async () => {
    const server = await startMls(EXAMPLE, {args: ['--no-debug']})
    try {
      await postJson(server.url + '/v2/models/mnist_sklearn/infer', rowRequest(mnist, 0))
    } finally {
      await server.stop()
    }
    expect(server.logs()).not.toMatch(/http_request|DEBUG/)
    expect(server.logs()).toMatch(/INFO {2}model mnist_sklearn:v1\.0\.0 loaded {2}event=model_loaded model=mnist_sklearn version=v1\.0\.0 duration_ms=\d+/)
  })
})
