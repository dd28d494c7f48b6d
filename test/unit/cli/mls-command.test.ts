/**
 * The one place a CliError becomes what the user sees: a line on stderr ("Error: ..." or "<bin> <command>: ..."), or
 * with --json one {"error": {code, message, exit_code}} document on stdout, and the exit code either way.
 */
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Config, Errors, Flags} from '@oclif/core'
import {afterEach, beforeAll, describe, expect, it, vi} from 'vitest'
import {failure, usageError} from '../../../src/cli/cli-error.js'
import {MlsCommand} from '../../../src/cli/mls-command.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
let config: Config
beforeAll(async () => {
  config = await Config.load(ROOT)
})
afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = undefined
})

/** A command that fails with `error`; `labelled`: its lines start with its name (as init's). */
function failing(error: Error, labelled = false) {
  return class extends MlsCommand {
    static override enableJsonFlag = true
    static override flags = {'http-port': Flags.integer({description: 'a port'}), ready: Flags.boolean({description: 'x', allowNo: true})}
    protected override errorLabel() {
      return labelled ? `${this.config.bin} thing` : super.errorLabel()
    }

    async run() {
      await this.parse()
      throw error
    }
  }
}

/** Runs the command; what it wrote on stdout and stderr, and the exit code it asked for. */
async function run(command: ReturnType<typeof failing>, argv: string[] = []) {
  let stdout = ''
  let stderr = ''
  // oclif writes its output through console.log; the command's own lines go to process.stdout and process.stderr.
  vi.spyOn(console, 'log').mockImplementation((text: string) => void (stdout += text + '\n'))
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true))
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true))
  let exit: number | undefined
  try {
    await command.run(argv, config)
  } catch (error) {
    expect(error).toBeInstanceOf(Errors.ExitError)
    exit = (error as Errors.ExitError).oclif.exit
  }
  vi.restoreAllMocks()
  return {stdout, stderr, exit: exit ?? process.exitCode}
}

describe('MlsCommand', () => {
  it('prints a CliError as one line on stderr and exits with its code', async () => {
    expect(await run(failing(usageError('--x must be a number, found "a"')))).toEqual({stdout: '', stderr: 'Error: --x must be a number, found "a"\n', exit: 2})
    expect(await run(failing(failure('the server said no')), [])).toEqual({stdout: '', stderr: 'Error: the server said no\n', exit: 1})
  })

  it('starts the line with the command when its messages read on from it', async () => {
    expect(await run(failing(usageError('/a/settings.json exists'), true))).toEqual({stdout: '', stderr: 'mls thing: /a/settings.json exists\n', exit: 2})
  })

  it('with --json prints every error as one snake_case document on stdout, nothing on stderr', async () => {
    for (const [error, code, exit] of [
      [usageError('/a/settings.json exists'), 'USAGE_ERROR', 2],
      [failure('the server said no'), 'FAILED', 1],
      [new Error('a bug'), 'INTERNAL', 1],
    ] as const) {
      const json = await run(failing(error, true), ['--json'])
      expect(json.stderr).toBe('')
      expect(json.exit).toBe(exit)
      expect(JSON.parse(json.stdout)).toEqual({error: {code, message: error.message, exit_code: exit}})
    }
  })

  it('an unknown flag: exit 2, the nearest flag, one usage line, where help is; no help dump', async () => {
    const result = await run(failing(failure('not reached')), ['--htp-port', '1'])
    expect(result).toEqual({
      stdout: '',
      stderr: 'Error: unknown flag --htp-port (did you mean --http-port?)\nUsage: mls [FLAGS]\nSee `mls --help`.\n',
      exit: 2,
    })
    expect((await run(failing(failure('not reached')), ['--no-redy'])).stderr).toMatch(/^Error: unknown flag --no-redy \(did you mean --no-ready\?\)\n/)
    expect((await run(failing(failure('not reached')), ['--zzzzzz'])).stderr).toMatch(/^Error: unknown flag --zzzzzz\n/)
  })

  it('a bad flag value: exit 2 in one line, with --json as a document', async () => {
    expect((await run(failing(failure('not reached')), ['--http-port', 'abc'])).stderr).toMatch(/^Error: --http-port: Expected an integer but received: abc\nUsage:/)
    const json = await run(failing(failure('not reached')), ['--http-port', 'abc', '--json'])
    expect(JSON.parse(json.stdout)).toEqual({error: {code: 'USAGE_ERROR', message: '--http-port: Expected an integer but received: abc', exit_code: 2}})
  })
})
