/**
 * The README's ten-minute tour, run as written against the built CLI serving examples/multi-model: every `mls` line of
 * its shell blocks exits 0, and the output the README shows in `# ` comments under a command is in what it printed
 * (`…` stands for anything). The tour's browser URLs answer 200.
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {spawn} from 'node:child_process'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE} from './helpers/fixtures.js'
import {BIN, REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'

interface TourCommand {
  /** The line as the README writes it. */
  readonly line: string
  /** The folder the tour is in when it runs the line (after its `cd` lines). */
  readonly cwd: string
  /** The `# ` comment lines under it: what the README says it prints. */
  readonly shows: string[]
}

/** The tour: the README between its `<!-- tour` and `<!-- end of tour -->` markers. */
function tourText(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('<!-- tour')
  const end = readme.indexOf('<!-- end of tour -->')
  expect(start, 'the README marks where its tour starts').toBeGreaterThan(0)
  expect(end, 'and where it ends').toBeGreaterThan(start)
  return readme.slice(start, end)
}

/** The `mls` lines of the tour's ```sh blocks, with the folder each runs in and the output it shows. */
function tourCommands(tour: string): TourCommand[] {
  const commands: Array<{line: string; cwd: string; shows: string[]}> = []
  let cwd = REPO_ROOT
  for (const block of tour.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of block[1].split('\n')) {
      if (line.startsWith('# ')) commands.at(-1)?.shows.push(line.slice(2))
      else if (line.startsWith('cd ')) cwd = path.resolve(cwd, line.slice(3).trim())
      else if (line.startsWith('mls ')) commands.push({line, cwd, shows: []})
      else if (line.trim() !== '') throw new Error(`the tour has a line this test does not know how to run: ${line}`)
    }
  }
  return commands
}

/** A `# ` line as a pattern for one output line: `…` is anything, a run of spaces any run of spaces. */
function linePattern(shown: string): RegExp {
  const parts = shown.trim().split('…').map((part) => part.split(/\s+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+'))
  return new RegExp(`^\\s*${parts.join('.*')}\\s*$`)
}

/** The shown lines not found in the output, in order (each after the one before). */
function missingLines(shows: readonly string[], output: string): string[] {
  const lines = output.split('\n')
  const missing: string[] = []
  let from = 0
  for (const shown of shows) {
    const pattern = linePattern(shown)
    const at = lines.findIndex((line, index) => index >= from && pattern.test(line))
    if (at === -1) missing.push(shown)
    else from = at + 1
  }
  return missing
}

/** Runs one tour line in a shell where `mls` is the built CLI; resolves with its exit code and output. */
function runLine(command: TourCommand, env: Record<string, string>): Promise<{code: number | null; output: string}> {
  return new Promise((resolve) => {
    const script = `mls() { "${process.execPath}" "${BIN}" "$@"; }\n${command.line}`
    const child = spawn('sh', ['-c', script], {cwd: command.cwd, env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({code, output})
    })
  })
}

let server: MlsProcess
let env: Record<string, string>

let runtimeDir: string

beforeAll(async () => {
  // The tour runs inside examples/multi-model, whose settings.json names the ports `npm start` serves (9080-9082). This
  // server is on ephemeral ports, and the commands still find it as a user's would: a server running on the very
  // folder a command runs in is taken from its runtime file before the folder's settings.json ports. A private runtime
  // folder keeps the other test files' servers out of sight (with several, a command would ask which).
  runtimeDir = mkdtempSync(path.join(tmpdir(), 'tour-runtime-'))
  env = {MLS_RUNTIME_DIR: runtimeDir}
  server = await startMls(EXAMPLE, {env})
})
afterAll(async () => {
  expect(await server.stop()).toBe(0)
  rmSync(runtimeDir, {recursive: true, force: true})
})

describe('the README tour', () => {
  const commands = tourCommands(tourText())

  it('has the commands a tour needs (infer, repo, test, monitor, bench)', () => {
    const verbs = new Set(commands.map((command) => command.line.split(/\s+/)[1]))
    for (const verb of ['infer', 'repo', 'test', 'monitor', 'bench']) expect(verbs, verb).toContain(verb)
  })

  it('runs every mls line as written: exit 0, and the output the README shows', {timeout: 180_000}, async () => {
    expect(commands.length).toBeGreaterThanOrEqual(8)
    for (const command of commands) {
      const {code, output} = await runLine(command, env)
      expect({line: command.line, code, missing: missingLines(command.shows, output)}, output).toEqual({line: command.line, code: 0, missing: []})
    }
  })

  it('points the browser at Swagger UI pages that answer', async () => {
    const urls = [...tourText().matchAll(/<(http:\/\/127\.0\.0\.1:9080[^>]*)>/g)].map((match) => match[1])
    expect(urls.length).toBeGreaterThanOrEqual(2)
    for (const url of urls) {
      const response = await fetch(url.replace('http://127.0.0.1:9080', server.url))
      expect({url, status: response.status}).toEqual({url, status: 200})
      expect(await response.text()).toContain('swagger-ui')
    }
  })

  it('checks shown output for real (the matcher itself)', () => {
    const output = 'NAME              VERSION  STATE  REASON\nmnist_sklearn     v1.0.0   READY\nmushroom_xgboost  v2.0.0   READY\n'
    expect(missingLines(['mnist_sklearn     v1.0.0   READY', 'mushroom_xgboost  v2.0.0 READY'], output)).toEqual([])
    expect(missingLines(['mushroom_xgboost  v2.0.0   UNAVAILABLE  unloaded'], output)).toEqual(['mushroom_xgboost  v2.0.0   UNAVAILABLE  unloaded'])
    expect(missingLines(['mushroom_xgboost …', 'mnist_sklearn …'], output), 'in order').toEqual(['mnist_sklearn …'])
    expect(missingLines(['  8'], 'predict  INT64 [1,1]\n  8\n')).toEqual([])
    expect(missingLines(['8'], 'accuracy 98%\n')).toEqual(['8'])
  })
})
