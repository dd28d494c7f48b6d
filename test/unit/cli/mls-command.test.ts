/**
 * The one place a CliError becomes what the user sees: a line on stderr ("Error: ..." or "<bin> <command>: ..."),
 * or with --json oclif's error document for the commands that ask for it, and the exit code either way.
 */
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {Config, Errors} from '@oclif/core'
import {afterEach, beforeAll, describe, expect, it, vi} from 'vitest'
import {failure, usageError, type CliError} from '../../../src/cli/cli-error.js'
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

/** A command that fails with `error`; `document`: its --json errors are JSON documents (as init's). */
function failing(error: CliError, document = false) {
  return class extends MlsCommand {
    static override enableJsonFlag = true
    protected override errorLabel() {
      return document ? `${this.config.bin} thing` : super.errorLabel()
    }

    protected override jsonErrorDocument() {
      return document
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
  // oclif writes its output through console.log; the command's own lines go to process.stderr.
  vi.spyOn(console, 'log').mockImplementation((text: string) => void (stdout += text + '\n'))
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
    expect(await run(failing(failure('the server said no')), ['--json'])).toEqual({stdout: '', stderr: 'Error: the server said no\n', exit: 1})
  })

  it('starts the line with the command when its messages read on from it, and prints a JSON document with --json', async () => {
    expect(await run(failing(usageError('/a/settings.json exists'), true))).toEqual({stdout: '', stderr: 'mls thing: /a/settings.json exists\n', exit: 2})
    const json = await run(failing(usageError('/a/settings.json exists'), true), ['--json'])
    expect(json.stderr).toBe('')
    expect(json.exit).toBe(2)
    expect(JSON.parse(json.stdout)).toEqual({error: {oclif: {exit: 2}, message: '/a/settings.json exists', name: 'Error'}})
  })
})
