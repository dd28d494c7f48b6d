/**
 * Hostile round 2, item 9: logging never kills the server. The built CLI with stdout and stderr on /dev/full (every
 * write fails ENOSPC), and on pipes whose reader went away after the first line (`mls start 2>&1 | head -1`: EPIPE),
 * keeps answering a few hundred requests, counts the lines it could not write in mls_log_lines_dropped_total, and stops
 * on SIGTERM with exit code 0. The ports are chosen before the start: the log that would name them is unreadable.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {closeSync, existsSync, openSync} from 'node:fs'
import {createServer} from 'node:net'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {BIN, REPO_ROOT} from './helpers/mls-process.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
/** Requests sent to the server whose log cannot be written, and how many at a time. */
const REQUESTS = 300
const CONCURRENCY = 10

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

interface Started {
  readonly child: ChildProcess
  readonly url: string
  readonly metricsUrl: string
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>
}

const children: ChildProcess[] = []
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

/** `mls start EXAMPLE --debug` (an access line per request) on chosen ports, with stdout and stderr as given. */
async function start(stdio: Array<'ignore' | 'pipe' | number>): Promise<Started> {
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()]
  const child = spawn(process.execPath, [BIN, 'start', EXAMPLE, '--host', '127.0.0.1', '--http-port', String(http), '--grpc-port', String(grpc), '--metrics-port', String(metrics), '--debug'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', stdio[0], stdio[1]],
  })
  children.push(child)
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.once('exit', (code, signal) => resolve({code, signal})))
  return {child, url: `http://127.0.0.1:${http}`, metricsUrl: `http://127.0.0.1:${metrics}/metrics`, exited}
}

/** Resolves once the server is ready (every start-up model loaded); fails if it exits first or after 30 s. */
async function ready(server: Started): Promise<void> {
  let gone = false
  void server.exited.then(() => (gone = true))
  for (let i = 0; i < 300; i++) {
    if (gone) throw new Error(`the server exited before it was ready: ${JSON.stringify(await server.exited)}`)
    const answer = await request(`${server.url}/v2/health/ready`).catch(() => undefined)
    if (answer?.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the server was not ready after 30 s')
}

/** REQUESTS inferences, CONCURRENCY at a time; every answer must be right. */
async function load(server: Started): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < REQUESTS) {
      const row = next++ % 10
      const answer = await postJson(`${server.url}/v2/models/mnist_sklearn/infer`, rowRequest(mnist, row))
      expect(answer.status).toBe(200)
      expect(answer.body.outputs[0].data).toEqual([mnist.expected.predict[row]])
    }
  }
  await Promise.all(Array.from({length: CONCURRENCY}, worker))
}

/**
 * mls_log_lines_dropped_total once it reaches `atLeast`, or its value after 10 s. The access line of a request is
 * written (and found unwritable) after its answer is sent, so the last few may be counted a moment after the client
 * has its answers.
 */
async function droppedLines(server: Started, atLeast: number): Promise<number> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const text = (await request(server.metricsUrl)).text
    const line = /^mls_log_lines_dropped_total (\d+)$/m.exec(text)
    expect(line, text.slice(0, 2000)).not.toBeNull()
    const dropped = Number(line![1])
    if (dropped >= atLeast || Date.now() > deadline) return dropped
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The server answers, counts what it could not log, and stops cleanly on SIGTERM. */
async function survives(server: Started): Promise<void> {
  await ready(server)
  await load(server)
  expect((await request(`${server.url}/v2/health/live`)).status).toBe(200)
  const dropped = await droppedLines(server, REQUESTS)
  // At least one access line per request could not be written.
  expect(dropped).toBeGreaterThanOrEqual(REQUESTS)
  await load(server)
  expect(await droppedLines(server, dropped + REQUESTS)).toBeGreaterThanOrEqual(dropped + REQUESTS)
  expect(server.child.exitCode).toBeNull()
  server.child.kill('SIGTERM')
  expect(await server.exited).toEqual({code: 0, signal: null})
}

describe('logging never kills the server', () => {
  it.skipIf(!existsSync('/dev/full'))('stdout and stderr on /dev/full (ENOSPC on every write): serves, counts dropped lines, exits 0 on SIGTERM', async () => {
    const full = openSync('/dev/full', 'w')
    try {
      await survives(await start([full, full]))
    } finally {
      closeSync(full)
    }
  }, 120_000)

  it('stdout and stderr on pipes the reader closed after the first line (EPIPE): the same', async () => {
    const server = await start(['pipe', 'pipe'])
    // As `| head -1`: read until the first line, then close the reading ends.
    await new Promise<void>((resolve) => {
      let seen = ''
      const onData = (chunk: Buffer) => {
        seen += chunk.toString()
        if (!seen.includes('\n')) return
        server.child.stdout!.destroy()
        server.child.stderr!.destroy()
        resolve()
      }
      server.child.stdout!.on('data', onData)
      server.child.stderr!.on('data', onData)
    })
    await survives(server)
  }, 120_000)

  it('stderr on a pipe whose reader stopped reading: serves, and SIGTERM still ends it, with code 0, within a few seconds', async () => {
    // Read the first line (the server has started logging), then never again: the pipe and this side's buffer fill.
    const server = await start(['ignore', 'pipe'])
    await new Promise<void>((resolve) => server.child.stderr!.once('data', () => resolve()))
    server.child.stderr!.pause()
    await ready(server)
    // 2,000 access lines (about 300 KB, several times what the pipe and this side's buffer take) while nobody reads.
    for (let round = 0; round < 7; round++) await load(server)
    expect((await request(`${server.url}/v2/health/live`)).status).toBe(200)
    const stopping = Date.now()
    server.child.kill('SIGTERM')
    expect(await server.exited).toEqual({code: 0, signal: null})
    // The exit flush waits at most a second for the stalled reader, then gives up on what is left.
    expect(Date.now() - stopping).toBeLessThan(10_000)
    // The stall was real: what the pipe holds, read now, ends before the stop's last line.
    let text = ''
    server.child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()))
    server.child.stderr!.resume()
    await new Promise((resolve) => server.child.stderr!.once('close', resolve))
    expect(text).toMatch(/event=http_request/)
    expect(text).not.toMatch(/INFO {2}stopped\n?$/)
  }, 120_000)
})
