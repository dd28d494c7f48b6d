/**
 * The CLI's conventions as a user meets them (spawned bin/run.js): help for every command (`mls help X`, -h), a
 * mistyped command or flag answered with the nearest one and exit 2 (also on a terminal, without a prompt), every
 * usage error exit 2 in a few lines rather than a help dump, --json errors as one document on stdout, snake_case keys
 * in every --json document, and `mls test` stopping at a first request that fails and naming the version that answered.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE, MNIST_DIR, makeRepo, readTestSet} from './helpers/fixtures.js'
import {request} from './helpers/http.js'
import {BIN, runMls, startMls, type MlsProcess} from './helpers/mls-process.js'
import {hasTmux, terminals} from './helpers/terminal.js'

const COMMANDS = ['bench', 'dockerfile', 'infer', 'init', 'monitor', 'repo list', 'repo load', 'repo unload', 'start', 'test']
const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))

let server: MlsProcess
const cleanups: Array<() => void> = []
beforeAll(async () => {
  server = await startMls(EXAMPLE)
})
afterAll(async () => {
  await server.stop()
  cleanups.forEach((c) => c())
})

/** Every key of every object in a JSON value. */
function keys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keys)
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keys(inner)])
}

describe('help', () => {
  it.each(COMMANDS)('mls %s --help renders, fits 80 columns, has no empty [default: ]', async (command) => {
    const {code, stdout, stderr} = await runMls([...command.split(' '), '--help'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(new RegExp(`^USAGE\\n {2}\\$ mls ${command} `, 'm'))
    expect(stdout).toMatch(/^EXAMPLES$/m)
    expect(stdout).not.toContain('[default: ]')
    expect(stdout.split('\n').filter((line) => line.length > 80)).toEqual([])
  })

  it('mls help <command>, mls <command> -h and mls -h', async () => {
    const viaHelp = await runMls(['help', 'repo', 'list'])
    expect(viaHelp.code).toBe(0)
    expect(viaHelp.stdout).toContain('$ mls repo list [FLAGS]')
    const viaH = await runMls(['repo', 'list', '-h'])
    expect(viaH.code).toBe(0)
    expect(viaH.stdout).toBe(viaHelp.stdout)
    const root = await runMls(['-h'])
    expect(root.code).toBe(0)
    expect(root.stdout).toMatch(/^ {2}infer +Send one inference request and print the outputs\.$/m)
    expect(root.stdout.replace(/\s+/g, ' ')).toContain('`mls help COMMAND` (or `mls COMMAND -h`) shows a command\'s flags.')
  })

  it('mutually exclusive flags are shown as such only where they are', async () => {
    expect((await runMls(['infer', '--help'])).stdout).toMatch(/\$ mls infer --model <value> \[--input <value> \| --data <value>\]\s+\[--stream \| --trace\] \[FLAGS\]/)
    const init = (await runMls(['init', '--help'])).stdout
    // --host and --http-port do not exclude each other; --skip-settings excludes both.
    expect(init).not.toMatch(/--host <value>\s*\|\s*--http-port/)
    expect(init.replace(/\s+/g, ' ')).toContain('--skip-settings leave settings.json out (add a model to an existing repository; not with --host and the port flags)')
  })
})

describe('mistyped commands and flags', () => {
  it.each([
    [['reop', 'list'], '"reop list" is not an mls command. Did you mean `mls repo list`?'],
    [['repo', 'lst', '--json'], '"repo lst" is not an mls command. Did you mean `mls repo list`?'],
    [['strat', 'examples/multi-model'], '"strat examples/multi-model" is not an mls command. Did you mean `mls start examples/multi-model`?'],
    [['xyzzy'], '"xyzzy" is not an mls command.'],
  ])('mls %j: suggests the nearest command, exit 2', async (args, message) => {
    const {code, stdout, stderr} = await runMls(args)
    expect(code).toBe(2)
    if (args.includes('--json')) {
      expect(stderr).toBe('')
      expect(JSON.parse(stdout)).toEqual({error: {code: 'USAGE_ERROR', message, exit_code: 2}})
    } else {
      expect(stdout).toBe('')
      expect(stderr).toBe(`Error: ${message}\nSee \`mls help\` for the commands.\n`)
    }
  })

  it('an unknown flag: the nearest flag, one usage line, where help is; not the flag taken as DIR', async () => {
    const {code, stdout, stderr} = await runMls(['start', '--htp-port', '1'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe('mls start: unknown flag --htp-port (did you mean --http-port?)\nUsage: mls start [DIR] [FLAGS]\nSee `mls start --help`.\n')
    const negated = await runMls(['repo', 'list', '--no-redy'])
    expect(negated.stderr).toMatch(/^Error: unknown flag --no-redy \(did you mean --no-ready\?\)\n/)
  })

  it('every usage error exits 2 in three lines: a bad flag value, a missing flag, argument or folder, exclusive flags', async () => {
    const cases: Array<[string[], string]> = [
      [['start', 'no-such-folder'], 'mls start: no folder at no-such-folder'],
      [['start', '--http-port', 'abc'], 'mls start: --http-port: Expected an integer but received: abc'],
      [['infer'], 'Error: missing --model'],
      [['repo', 'load'], 'Error: missing NAME (model name)'],
      [['infer', '-m', 'a', '--input', 'x', '--data', '[1]'], 'Error: --input and --data cannot be used together'],
      [['test', '-m', 'a', '--dataset', 'no-such-file.json'], 'Error: --dataset: No file found at no-such-file.json'],
      [['bench', '-m', 'a', '--concurrency', '0'], 'Error: --concurrency takes a comma-separated list of integers from 1 to 1024 (e.g. 1,4,16), found "0"'],
    ]
    for (const [args, first] of cases) {
      const {code, stderr} = await runMls(args)
      expect(code, args.join(' ')).toBe(2)
      const lines = stderr.trimEnd().split('\n')
      expect(lines[0], args.join(' ')).toBe(first)
      expect(lines.length, args.join(' ')).toBeLessThanOrEqual(3)
    }
  })
})

describe.skipIf(!hasTmux())('a mistyped command on a terminal (tmux)', () => {
  const terminal = terminals()

  it('prints the suggestion and exits 2 without asking "Did you mean ...? (Y/n)"', async () => {
    const screen = await terminal('typo', `${process.execPath} ${BIN} reop list`, {columns: 100, rows: 20}).waitFor('EXIT=')
    expect(screen).toContain('Did you mean `mls repo list`?')
    expect(screen).toContain('EXIT=2')
    expect(screen).not.toMatch(/\(Y\/n\)/)
  })
})

describe('--json', () => {
  it('errors are one document on stdout with a stable code, nothing on stderr', async () => {
    const down = await runMls(['repo', 'list', '--url', 'http://127.0.0.1:9', '--json'])
    expect(down.code).toBe(1)
    expect(down.stderr).toBe('')
    expect(JSON.parse(down.stdout)).toMatchObject({error: {code: 'UNREACHABLE', exit_code: 1}})
    const missing = await runMls(['infer', '-m', 'nope', '--data', '[1]', '--url', server.url, '--json'])
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.stdout)).toEqual({
      error: {code: 'MODEL_NOT_FOUND', message: expect.stringMatching(/model "nope" not found.*\(models: mnist_sklearn, mushroom_xgboost\)$/), exit_code: 1},
    })
    const usage = await runMls(['infer', '--modle', 'x', '--json'])
    expect(usage.code).toBe(2)
    expect(JSON.parse(usage.stdout)).toEqual({error: {code: 'USAGE_ERROR', message: 'unknown flag --modle (did you mean --model?)', exit_code: 2}})
  })

  it('keys are snake_case in every command of our own (test, bench, dockerfile), as in monitor', async () => {
    const test = await runMls(['test', '-m', 'mushroom_xgboost', '--repo', EXAMPLE, '--url', server.url, '--batch-size', '200', '--json'])
    expect(test.code).toBe(0)
    const summary = JSON.parse(test.stdout)
    expect(summary).toMatchObject({agreeing_rows: 1611, version_requested: false, throughput: {rows_per_second: expect.any(Number)}})
    const bench = await runMls(['bench', '-m', 'mushroom_xgboost', '--repo', EXAMPLE, '--url', server.url, '-n', '5', '--warmup', '0', '--json'])
    expect(bench.code).toBe(0)
    const repo = makeRepo({})
    cleanups.push(repo.cleanup)
    const dockerfile = await runMls(['dockerfile', repo.dir, '--json'])
    expect(dockerfile.code).toBe(0)
    const monitor = await runMls(['monitor', '--url', server.url, '--metrics-url', server.metricsUrl!, '--interval', '100', '--json'])
    expect(monitor.code).toBe(0)
    for (const output of [test.stdout, bench.stdout, dockerfile.stdout, monitor.stdout]) {
      expect(keys(JSON.parse(output)).filter((key) => /[A-Z]/.test(key))).toEqual([])
    }
    expect(JSON.parse(dockerfile.stdout)).toHaveProperty('base_image')
  })
})

describe('mls infer --input CSV', () => {
  it('a header row (pandas to_csv) and ";" or tab delimiters, detected or given with --delimiter', async () => {
    const {shape, data} = mnist.request.inputs[0]
    const rows = [0, 1].map((r) => data.slice(r * shape[1], (r + 1) * shape[1]))
    const header = Array.from({length: shape[1]}, (_, i) => `pixel_${i}`)
    for (const [sep, extra] of [[';', []], ['\t', ['--delimiter', 'tab']]] as const) {
      const csv = [header, ...rows].map((cells) => cells.join(sep)).join('\n') + '\n'
      const {code, stdout, stderr} = await runMls(['infer', '-m', 'mnist_sklearn', '--url', server.url, '--json', ...extra], {}, {input: csv})
      expect(stderr).toBe('')
      expect(code).toBe(0)
      const predict = JSON.parse(stdout).outputs.find((o: {name: string}) => o.name === 'predict')
      expect(predict.data).toEqual([mnist.expected.predict[0], mnist.expected.predict[1]])
    }
  })
})

describe('mls test', () => {
  /** model_infer_request_failure_total of mnist_sklearn, summed over its label sets. */
  async function mnistFailures(): Promise<number> {
    const text = (await request(server.metricsUrl!)).text as string
    return text
      .split('\n')
      .filter((line) => line.startsWith('model_infer_request_failure_total{') && line.includes('model="mnist_sklearn"'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0)
  }

  it('stops at a first request that fails, with that one error, rather than sending the rest', async () => {
    // Rows of 63 values for a model that takes 64: every request would fail the same way.
    const {shape, data} = mnist.request.inputs[0]
    const narrow = {...mnist, request: {inputs: [{...mnist.request.inputs[0], shape: [shape[0], 63], data: data.slice(0, shape[0] * 63)}]}}
    const repo = makeRepo({'narrow.json': JSON.stringify(narrow)})
    cleanups.push(repo.cleanup)
    const before = await mnistFailures()
    const {code, stdout, stderr} = await runMls(['test', '-m', 'mnist_sklearn', '--dataset', path.join(repo.dir, 'narrow.json'), '--url', server.url, '--concurrency', '8'])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^Error: the first request failed, so the other 898 requests were not sent: server error 400 \w+: /)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect((await mnistFailures()) - before).toBe(1)
  })

  it('names the version that answered: the default one when none was asked for', async () => {
    const chosen = await runMls(['test', '-m', 'mushroom_xgboost', '--repo', EXAMPLE, '--url', server.url, '--batch-size', '200'])
    expect(chosen.code).toBe(0)
    expect(chosen.stdout).toMatch(/^model\s+mushroom_xgboost v2\.0\.0 \(the default version\)$/m)
    const asked = await runMls(['test', '-m', 'mnist_sklearn', '-v', 'v1.0.0', '--repo', EXAMPLE, '--url', server.url, '--batch-size', '100', '--json'])
    expect(JSON.parse(asked.stdout)).toMatchObject({version: 'v1.0.0', version_requested: true})
  })
})

