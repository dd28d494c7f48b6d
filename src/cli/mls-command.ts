/**
 * The base of every mls command, and the one place where an error becomes what the user sees (error-report.ts): one
 * unwrapped line on stderr (oclif's error box re-wraps file paths, URLs and multi-line advice), never a stack trace,
 * then its exit code; a command line that does not parse adds one usage line and where help is, instead of oclif's
 * help dump. With --json, every error is a JSON document on stdout. Exit codes: 2 bad usage, 1 anything else.
 */
import {Command, Errors, type Interfaces} from '@oclif/core'
import {CliError} from './cli-error.js'
import {errorCode, printError, type ErrorReport} from './error-report.js'
import {snakeCaseKeys} from './json-keys.js'
import {ParseError, toParseError} from './parse-error.js'

// oclif's FlagOutput and ArgOutput, which it does not export.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parsed = {[name: string]: any}

export abstract class MlsCommand extends Command {
  /**
   * true: the command's --json document is its own (TypeScript objects with camelCase fields), printed with
   * snake_case keys like the server's wire format. false: passed through as the server sent it (infer, repo), since
   * its parameters may hold keys a user chose.
   */
  static snakeCaseJson = false

  /**
   * How an error line starts: "Error" ("Error: <message>"). A command whose messages read on from its name returns
   * "<bin> <command>" ("mls init: <file> exists; ...").
   */
  protected errorLabel(): string {
    return 'Error'
  }

  /** The message to show for `error` (the client commands add what does exist when a model is not found). */
  protected async explain(error: CliError): Promise<string> {
    return error.message
  }

  /** The command as typed: "mls repo list". */
  protected commandLine(): string {
    return [this.config.bin, ...(this.id ?? '').split(':')].filter(Boolean).join(' ')
  }

  /** One line: the command's first usage, else its arguments and required flags, the rest as [FLAGS]. */
  protected usageLine(): string {
    const [usage] = [this.ctor.usage ?? []].flat()
    if (usage !== undefined) return `${this.commandLine()} ${usage.replace('<%= command.id %>', '').trim()}`
    const args = Object.entries(this.ctor.args ?? {}).map(([name, arg]) => (arg.required ? name.toUpperCase() : `[${name.toUpperCase()}]`))
    const required = Object.entries({...this.ctor.baseFlags, ...this.ctor.flags})
      .filter(([, flag]) => flag.required)
      .map(([name]) => `--${name} <value>`)
    return [this.commandLine(), ...args, ...required, '[FLAGS]'].join(' ')
  }

  /** Every flag name the command takes (no-<name> for negatable ones): what an unknown flag is compared with. */
  private flagNames(): string[] {
    const flags = Object.entries({...this.ctor.baseFlags, ...this.ctor.flags})
    const names = flags.flatMap(([name, flag]) => (flag.type === 'boolean' && flag.allowNo ? [name, `no-${name}`] : [name]))
    return [...names, 'help', ...(this.ctor.enableJsonFlag ? ['json'] : [])]
  }

  // Every error oclif's parser throws is bad usage (exit 2), said in one line (parse-error.ts).
  protected override async parse<F extends Parsed, B extends Parsed, A extends Parsed>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      return await super.parse(options, argv)
    } catch (error) {
      if (error instanceof Errors.ExitError) throw error
      throw toParseError(error as Error, this.flagNames())
    }
  }

  protected override logJson(json: unknown): void {
    super.logJson((this.ctor as typeof MlsCommand).snakeCaseJson ? snakeCaseKeys(json) : json)
  }

  protected override async catch(error: Error & {oclif?: {exit?: number}}): Promise<unknown> {
    // this.exit(n): the command has already said why.
    if (error instanceof Errors.ExitError) throw error
    const report = await this.report(error)
    if (report === undefined) return super.catch(error)
    printError(report, {json: this.jsonEnabled(), label: this.errorLabel()})
    return this.exit(report.exitCode)
  }

  /** What to print for `error`; undefined for an error that is not the user's to read (a bug: oclif prints its stack). */
  private async report(error: Error): Promise<ErrorReport | undefined> {
    if (error instanceof CliError) {
      const hints = error instanceof ParseError ? [`Usage: ${this.usageLine()}`, `See \`${this.commandLine()} --help\`.`] : []
      return {code: errorCode(error), message: await this.explain(error), exitCode: error.exitCode, hints}
    }
    if (this.jsonEnabled()) return {code: errorCode(error), message: error.message, exitCode: 1}
    return undefined
  }
}
