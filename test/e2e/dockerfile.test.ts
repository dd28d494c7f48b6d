/**
 * The image without Docker: the repository's files laid out as the Dockerfile's runtime stage lays them out (WORKDIR,
 * COPY), the example models in a read-only "/mnt/models", then the image's ENTRYPOINT + CMD run with its ENV. It must
 * become ready and infer, and the HEALTHCHECK command must pass against it (and fail once it stops).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {all, envOf, execForm, healthcheck, last, readDockerfile} from '../unit/deploy/dockerfile-parse.js'
import {freePort} from './helpers/container.js'
import {EXAMPLE, MNIST_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {REPO_ROOT} from './helpers/mls-process.js'

const stage = readDockerfile(path.join(REPO_ROOT, 'Dockerfile')).at(-1)!
const WORKDIR = last(stage, 'WORKDIR')!
const MOUNT = envOf(stage).MLS_MODEL_REPOSITORY_ROOT
const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

let temp: string
let imageRoot: string
let models: string
let child: ChildProcess
let output = ''
let env: Record<string, string>
let url: string

/** Image paths to the temporary layout. */
const localize = (value: string) => value.replaceAll(MOUNT, models).replaceAll(WORKDIR, imageRoot)

/**
 * node_modules as the runtime stage's install leaves it, without copying 300 MB: a link per package of the repository's
 * node_modules, except onnxruntime-node, copied with the files of its native folders (bin/napi-v*\/OS/ARCH) linked. Node resolves
 * the binding from the copy's own path, so what the Dockerfile's prune removes there is gone for the server.
 */
function layOutNodeModules(target: string): void {
  const source = path.join(REPO_ROOT, 'node_modules')
  mkdirSync(target)
  for (const entry of readdirSync(source)) {
    if (entry !== 'onnxruntime-node') symlinkSync(path.join(source, entry), path.join(target, entry))
  }
  const ort = path.join(source, 'onnxruntime-node')
  const bin = path.join(ort, 'bin')
  cpSync(ort, path.join(target, 'onnxruntime-node'), {recursive: true, filter: (file) => !file.startsWith(bin + path.sep)})
  for (const napi of readdirSync(bin)) {
    for (const os of readdirSync(path.join(bin, napi))) {
      for (const arch of readdirSync(path.join(bin, napi, os))) {
        const folder = path.join(target, 'onnxruntime-node/bin', napi, os, arch)
        mkdirSync(folder, {recursive: true})
        for (const file of readdirSync(path.join(bin, napi, os, arch))) symlinkSync(path.join(bin, napi, os, arch, file), path.join(folder, file))
      }
    }
  }
}

/** The image's HEALTHCHECK command, its script read from the image layout. */
function runHealthcheck(): number | null {
  const [command, ...args] = healthcheck(stage).command
  expect(command).toBe('node')
  return spawnSync(process.execPath, args.map(localize), {env: {...process.env, ...env}, timeout: 15_000}).status
}

beforeAll(async () => {
  temp = mkdtempSync(path.join(tmpdir(), 'mls-image-'))
  imageRoot = path.join(temp, 'app')
  models = path.join(temp, 'mnt-models')
  // COPY [--from=build] SRC... DEST of the runtime stage, from the built repository; node_modules as npm ci made it.
  for (const copy of all(stage, 'COPY')) {
    const parts = copy.split(' ').filter((p) => !p.startsWith('--'))
    const dest = parts.pop()!
    for (const source of parts) {
      const name = path.basename(source)
      const target = dest.endsWith('/') ? path.join(imageRoot, name) : path.resolve(imageRoot, dest)
      cpSync(path.join(REPO_ROOT, name), target, {recursive: true})
    }
  }
  layOutNodeModules(path.join(imageRoot, 'node_modules'))
  // The rest of the install's RUN (the prune of onnxruntime-node's other platforms), as the image runs it.
  const prune = all(stage, 'RUN')[0].split(' && ').filter((command) => !command.startsWith('npm ')).join(' && ')
  const pruned = spawnSync('sh', ['-c', prune], {cwd: imageRoot, encoding: 'utf8'})
  expect(pruned.status, pruned.stderr).toBe(0)
  cpSync(EXAMPLE, models, {recursive: true})
  spawnSync('chmod', ['-R', 'a-w', models])

  env = Object.fromEntries(Object.entries(envOf(stage)).map(([key, value]) => [key, localize(value)]))
  // Free ports instead of the image's 8080-8082, which may be taken on a test machine.
  env.MLS_HTTP_PORT = String(await freePort())
  env.MLS_GRPC_PORT = String(await freePort())
  env.MLS_METRICS_PORT = String(await freePort())
  url = `http://127.0.0.1:${env.MLS_HTTP_PORT}`
  const [command, ...args] = [...execForm(last(stage, 'ENTRYPOINT')), ...execForm(last(stage, 'CMD'))].map(localize)
  expect(command).toBe('node')
  child = spawn(process.execPath, args, {cwd: imageRoot, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    const ready = await request(url + '/v2/health/ready').catch(() => undefined)
    if (ready?.status === 200) return
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`the image's command did not become ready:\n${output}`)
}, 60_000)

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
  if (temp) {
    try {
      chmodSync(models, 0o755)
      spawnSync('chmod', ['-R', 'u+w', models])
    } finally {
      rmSync(temp, {recursive: true, force: true})
    }
  }
})

describe('the image entry point, run from a copy laid out as the image', () => {
  it('serves the mounted repository, read from the image layout (not the repository)', async () => {
    expect(output).toContain(`settings from ${path.join(models, 'settings.json')}`)
    const res = await postJson(url + '/v2/models/mnist_sklearn/infer', rowRequest(mnist, 0))
    expect(res.status).toBe(200)
    expect(res.body.outputs[0].data).toEqual([mnist.expected.predict[0]])
  })

  it('keeps only the native onnxruntime library this platform loads (the example\'s ONNX model answered above through it)', () => {
    const bin = path.join(imageRoot, 'node_modules/onnxruntime-node/bin')
    for (const napi of readdirSync(bin)) {
      expect(readdirSync(path.join(bin, napi))).toEqual(['linux'])
      expect(readdirSync(path.join(bin, napi, 'linux'))).toEqual([process.arch])
    }
    expect(existsSync(path.join(imageRoot, 'node_modules/fastify/package.json'))).toBe(true)
  })

  it('passes its HEALTHCHECK while ready, and fails it once stopped', async () => {
    expect(runHealthcheck()).toBe(0)
    child.kill('SIGTERM')
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0)
    expect(runHealthcheck()).toBe(1)
  })
})
