/** Runs `node -e script` and resolves with its exit code and all it wrote to stderr (read to the end of the pipe). */
function runNode(script: string): Promise<{code: number | null; stderr: string}> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.once('close', (code) => resolve({code, stderr})))
}

const LOGGER = pathToFileURL(path.join(REPO_ROOT, 'dist/logger.js')).href
/** Logs 20000 lines as fast as it can (they queue in the asynchronous destination), then does `end`. */
const burst = (end: string) => `
const {createLogger} = await import(${JSON.stringify(LOGGER)})
const logger = createLogger({debug: true})
for (let i = 0; i < 20000; i++) logger.debug('line ' + i, {i})
${end}`

/** Server logs: JSON lines with use_structured_logging, model events with their fields, access logs only with debug. */
import {spawn} from 'node:child_process'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {REPO_ROOT, startMls} from './helpers/mls-process.js'

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
    await server.expectLog(/INFO {2}model "mnist_sklearn" version "v1\.0\.0" loaded {2}event=model_loaded model=mnist_sklearn version=v1\.0\.0 duration_ms=\d+/)
  })

  it('keep every line of a stopping server, the last written after SIGTERM', async () => {
    const server = await startMls(EXAMPLE, {args: ['--debug']})
    for (let i = 0; i < 20; i++) await postJson(server.url + '/v2/models/mnist_sklearn/infer', rowRequest(mnist, 0))
    const closed = new Promise((resolve) => server.child.once('close', resolve))
    expect(await server.stop('SIGTERM')).toBe(0)
    await closed // every byte of the pipes read
    const lines = server.logs().trim().split('\n')
    expect(lines.filter((line) => / DEBUG POST \/v2\/models\/mnist_sklearn\/infer 200 {2}event=http_request /.test(line))).toHaveLength(20)
    expect(lines.at(-1)).toMatch(/\[mls\] INFO  stopped$/)
  })

  it('lose no queued line when the process exits or dies of an uncaught error', async () => {
    const exited = await runNode(burst('process.exit(3)'))
    expect(exited.code).toBe(3)
    const lines = exited.stderr.trim().split('\n')
    expect(lines).toHaveLength(20000)
    expect(lines.at(-1)).toMatch(/DEBUG line 19999 {2}i=19999$/)

    const died = await runNode(burst("setImmediate(() => { throw new Error('boom') })"))
    expect(died.code).toBe(1)
    expect(died.stderr.match(/DEBUG line \d+/g)).toHaveLength(20000)
    // The log says why, after every queued line (Node's own print of the error can be lost on a full pipe: it is one
    // write to a non-blocking stderr).
    const why = died.stderr.indexOf('ERROR the process ends on an uncaught exception: Error: boom\n    at ')
    expect(why, died.stderr.slice(-2000)).toBeGreaterThan(died.stderr.indexOf('DEBUG line 19999 '))

    // An error the program handles ends nothing and is not reported as the end.
    const handled = await runNode(burst("process.on('uncaughtException', () => process.exit(4)); setImmediate(() => { throw new Error('boom') })"))
    expect(handled.code).toBe(4)
    expect(handled.stderr.match(/DEBUG line \d+/g)).toHaveLength(20000)
    expect(handled.stderr).not.toMatch(/the process ends/)
  })
})
