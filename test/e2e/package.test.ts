/**
 * The package as a user gets it: its npm name (mls-server: "mls" on the registry is another project) with the command
 * `mls`, what `npm pack` would publish, the Node the CLI runs on, and `npm run build` doing only what changed (so a
 * second `npm start` is ready in seconds, and an edited source is compiled again).
 */
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {REPO_ROOT, runMls} from './helpers/mls-process.js'

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string
  version: string
  bin: Record<string, string>
  oclif: {bin: string}
}

describe('the package', () => {
  it('is named mls-server, and installs the command mls', () => {
    expect(pkg.name).toBe('mls-server')
    expect(pkg.bin).toEqual({mls: './bin/run.js'})
    expect(pkg.oclif.bin).toBe('mls')
  })

  it('npm pack would publish the built CLI, its manifest and templates, and no build state or sources', () => {
    const packed = spawnSync('npm', ['pack', '--dry-run', '--json'], {cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000})
    expect(packed.status, packed.stderr).toBe(0)
    const [report] = JSON.parse(packed.stdout) as Array<{name: string; version: string; files: Array<{path: string}>}>
    expect(report).toMatchObject({name: 'mls-server', version: pkg.version})
    const files = report.files.map((f) => f.path)
    for (const file of ['bin/run.js', 'dist/index.js', 'dist/index.d.ts', 'oclif.manifest.json', 'templates/custom/runtime.ts', 'proto/dataplane.proto']) {
      expect(files).toContain(file)
    }
    expect(files.filter((f) => f.endsWith('.tsbuildinfo') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([])
  }, 60_000)

  it('`mls --version` names the package and the Node running the tests: the servers they spawn run on it too', async () => {
    const result = await runMls(['--version'])
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(`mls-server/${pkg.version} ${process.platform}-${process.arch} node-${process.version}`)
    expect((await runMls(['--help'])).stdout).toContain('$ mls [COMMAND]')
  })
})

describe('npm run build (scripts/build.mjs) in a copy of the repository', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mls-build-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const build = () => spawnSync(process.execPath, ['scripts/build.mjs'], {cwd: dir, encoding: 'utf8', timeout: 170_000})
  const mtime = (relative: string) => statSync(path.join(dir, relative)).mtimeMs
  const COMMAND = 'src/commands/dockerfile.ts'

  it('does nothing when nothing changed, and compiles an edited source and rewrites the manifest', () => {
    // What the build reads, with its timestamps: an up-to-date dist/ stays up to date in the copy.
    for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'bin', 'dist', 'oclif.manifest.json']) {
      cpSync(path.join(REPO_ROOT, entry), path.join(dir, entry), {recursive: true, preserveTimestamps: true})
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'))
    // The first build brings the copy up to date (it has nothing to do when the repository was just built).
    const first = build()
    expect(first.status, first.stdout + first.stderr).toBe(0)

    const before = {js: mtime('dist/commands/dockerfile.js'), manifest: mtime('oclif.manifest.json')}
    const started = performance.now()
    const again = build()
    const seconds = (performance.now() - started) / 1000
    expect(again.status, again.stdout + again.stderr).toBe(0)
    expect(again.stdout + again.stderr).toBe('')
    expect({js: mtime('dist/commands/dockerfile.js'), manifest: mtime('oclif.manifest.json')}).toEqual(before)
    // tsc's up-to-date check alone: well under a second on an idle machine; bounded loosely for a loaded one.
    expect(seconds).toBeLessThan(10)

    const source = readFileSync(path.join(dir, COMMAND), 'utf8')
    expect(source).toContain("summary = 'Write a Dockerfile")
    writeFileSync(path.join(dir, COMMAND), source.replace("summary = 'Write a Dockerfile", "summary = 'Edited: write a Dockerfile"))
    const edited = build()
    expect(edited.status, edited.stdout + edited.stderr).toBe(0)
    expect(readFileSync(path.join(dir, 'dist/commands/dockerfile.js'), 'utf8')).toContain('Edited: write a Dockerfile')
    expect(readFileSync(path.join(dir, 'oclif.manifest.json'), 'utf8')).toContain('Edited: write a Dockerfile')
    const help = spawnSync(process.execPath, ['bin/run.js', 'dockerfile', '--help'], {cwd: dir, encoding: 'utf8', timeout: 30_000})
    expect(help.stdout).toContain('Edited: write a Dockerfile')
  }, 180_000)
})
