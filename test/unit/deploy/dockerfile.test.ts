/** The repository's Dockerfile and the one `mls dockerfile` writes: structure, and the same runtime contract. */
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {CliError} from '../../../src/cli/cli-error.js'
import {DEFAULT_BASE_IMAGE, renderDockerfile} from '../../../src/deploy/dockerfile.js'
import {HEALTH_PATHS, HEALTHCHECK_COMMAND, HEALTHCHECK_SCRIPT, IMAGE_CMD, IMAGE_ENTRYPOINT, IMAGE_ENV, IMAGE_PORTS, MODEL_MOUNT, NODE_IMAGE} from '../../../src/deploy/image.js'
import {writeDockerfile} from '../../../src/deploy/write-dockerfile.js'
import {SERVER_DEFAULTS, SERVER_SETTINGS_KEYS} from '../../../src/settings/server-settings.js'
import {all, envOf, execForm, healthcheck, last, parseDockerfile, readDockerfile} from './dockerfile-parse.js'

const repoStages = readDockerfile(path.resolve('Dockerfile'))
const runtime = repoStages.at(-1)!
const generated = parseDockerfile(renderDockerfile()).at(-1)!

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

describe('Dockerfile (repository)', () => {
  it('is multi-stage on Node 22 slim pinned by release: build with .npmrc, npm ci and npm run build; runtime with npm ci --omit=dev', () => {
    expect(NODE_IMAGE).toMatch(/^node:22\.\d+\.\d+-bookworm-slim$/)
    expect(repoStages.map((s) => s.from)).toEqual([NODE_IMAGE, NODE_IMAGE])
    const build = repoStages[0]
    expect(all(build, 'COPY')[0]).toContain('.npmrc')
    expect(all(build, 'COPY')).toContain('scripts ./scripts')
    expect(all(build, 'RUN')).toEqual(['npm ci', 'npm run build'])
    // No dependency's install script runs: onnxruntime-node's would download CUDA from outside the npm registry.
    expect(readFileSync('.npmrc', 'utf8')).toMatch(/^ignore-scripts=true$/m)
    expect(all(runtime, 'COPY')[0]).toContain('.npmrc')
    expect(all(runtime, 'RUN')[0]).toMatch(/^npm ci --omit=dev/)
    expect(all(runtime, 'COPY').some((c) => c.startsWith(`--from=${build.name} /app/dist`))).toBe(true)
  })

  it('keeps onnxruntime-node\'s native library for linux on the build\'s architecture alone, in the install\'s own layer', () => {
    // The prune is part of the install's RUN: a later RUN could not shrink the install's layer.
    const install = all(runtime, 'RUN')[0]
    const prune = install.split(' && ').filter((command) => !command.startsWith('npm ')).join(' && ')
    expect(prune).toContain('onnxruntime-node')
    const dir = mkdtempSync(path.join(tmpdir(), 'mls-prune-'))
    dirs.push(dir)
    const bin = path.join(dir, 'node_modules/onnxruntime-node/bin/napi-v6')
    const platforms = ['darwin/arm64', 'linux/arm64', 'linux/x64', 'win32/arm64', 'win32/x64', 'linux/ppc64']
    for (const platform of platforms) {
      mkdirSync(path.join(bin, platform), {recursive: true})
      writeFileSync(path.join(bin, platform, 'onnxruntime_binding.node'), 'binary')
    }
    const result = spawnSync('sh', ['-c', prune], {cwd: dir, encoding: 'utf8'})
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(readdirSync(bin)).toEqual(['linux'])
    expect(readdirSync(path.join(bin, 'linux'))).toEqual([process.arch])
    expect(existsSync(path.join(bin, 'linux', process.arch, 'onnxruntime_binding.node'))).toBe(true)
  })

  it('copies what package.json ships (bin, dist, proto, templates, the manifest)', () => {
    const files = (JSON.parse(readFileSync('package.json', 'utf8')) as {files: string[]}).files.filter((f) => !f.startsWith('examples') && !f.startsWith('!'))
    const copied = all(runtime, 'COPY').join(' ')
    for (const file of files) expect(copied).toContain(file)
  })

  it('runs as a non-root numeric user, with the image env, ports, health check and entry', () => {
    expect(last(runtime, 'USER')).toBe('1000:1000')
    expect(envOf(runtime)).toEqual(IMAGE_ENV)
    expect(all(runtime, 'EXPOSE')).toEqual([IMAGE_PORTS.join(' ')])
    expect(execForm(last(runtime, 'ENTRYPOINT'))).toEqual([...IMAGE_ENTRYPOINT])
    expect(execForm(last(runtime, 'CMD'))).toEqual([...IMAGE_CMD])
    expect(healthcheck(runtime).command).toEqual([...HEALTHCHECK_COMMAND])
  })

  it('copies the HEALTHCHECK script, which asks the ready path on the default port with nothing but Node', () => {
    const [, script] = HEALTHCHECK_COMMAND
    expect(script).toBe(`${last(runtime, 'WORKDIR')}/${HEALTHCHECK_SCRIPT}`)
    expect(all(runtime, 'COPY')).toContain(`${path.dirname(HEALTHCHECK_SCRIPT)} ./${path.dirname(HEALTHCHECK_SCRIPT)}`)
    expect(readFileSync('.dockerignore', 'utf8').split('\n')).not.toContain(path.dirname(HEALTHCHECK_SCRIPT))
    const text = readFileSync(HEALTHCHECK_SCRIPT, 'utf8')
    expect(text).toContain(`'${HEALTH_PATHS.ready}'`)
    expect(text).toContain(`process.env.MLS_HTTP_PORT || ${SERVER_DEFAULTS.http_port}`)
    expect([...text.matchAll(/from '([^']+)'/g)].map((m) => m[1])).toEqual(['node:http', 'node:https'])
  })

  it('uses the real defaults and settings names', () => {
    expect(IMAGE_PORTS).toEqual([SERVER_DEFAULTS.http_port, SERVER_DEFAULTS.grpc_port, SERVER_DEFAULTS.metrics_port])
    for (const key of Object.keys(IMAGE_ENV).filter((k) => k.startsWith('MLS_'))) {
      expect(SERVER_SETTINGS_KEYS).toContain(key.slice(4).toLowerCase())
    }
    expect(IMAGE_ENV.MLS_MODEL_REPOSITORY_ROOT).toBe(MODEL_MOUNT)
  })
})

describe('mls dockerfile', () => {
  it('writes FROM the mls image, copies the repository to /mnt/models, and keeps the runtime contract of the repository image', () => {
    expect(parseDockerfile(renderDockerfile()).at(-1)!.from).toBe('${MLS_IMAGE}')
    expect(renderDockerfile()).toContain(`ARG MLS_IMAGE=${DEFAULT_BASE_IMAGE}`)
    expect(renderDockerfile({baseImage: 'r.example/mls:1'})).toContain('ARG MLS_IMAGE=r.example/mls:1')
    expect(all(generated, 'COPY')).toEqual([`--chown=root:root . ${MODEL_MOUNT}`])
    for (const keyword of ['USER', 'ENTRYPOINT', 'CMD', 'HEALTHCHECK', 'EXPOSE']) expect(last(generated, keyword)).toBe(last(runtime, keyword))
    expect(envOf(generated)).toEqual(envOf(runtime))
    expect(renderDockerfile()).not.toContain('npm ci')
    expect(renderDockerfile({installDependencies: true, lockfile: true})).toContain(`npm ci --omit=dev --prefix ${MODEL_MOUNT}`)
    expect(renderDockerfile({installDependencies: true, lockfile: false})).toContain(`npm install --omit=dev --prefix ${MODEL_MOUNT}`)
  })

  it('writes DIR/Dockerfile and .dockerignore, refuses to overwrite without force', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mls-dockerfile-'))
    dirs.push(dir)
    const result = writeDockerfile(dir)
    expect(result).toMatchObject({dockerfile: path.join(dir, 'Dockerfile'), dockerignore: path.join(dir, '.dockerignore'), baseImage: DEFAULT_BASE_IMAGE, installDependencies: false})
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(renderDockerfile())
    expect(() => writeDockerfile(dir)).toThrow(CliError)
    writeFileSync(path.join(dir, 'package.json'), '{}')
    const again = writeDockerfile(dir, {force: true})
    expect(again.installDependencies).toBe(true)
    expect(again.dockerignore).toBeUndefined()
    expect(existsSync(path.join(dir, '.dockerignore'))).toBe(true)
  })

  it('refuses a missing folder with exit 2', () => {
    expect(() => writeDockerfile('/no/such/folder')).toThrow(expect.objectContaining({exitCode: 2}))
  })
})
