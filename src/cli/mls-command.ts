/**
 * The base of every mls command, and the one place where a CliError becomes what the user sees: one unwrapped line on
 * stderr (oclif's error box re-wraps file paths, URLs and multi-line advice), never a stack trace, then its exit code.
 */
import {Command} from '@oclif/core'
import {CliError} from './cli-error.js'

export abstract class MlsCommand extends Command {
  /**
   * How an error line starts: "Error" ("Error: <message>"). A command whose messages read on from its name returns
   * "<bin> <command>" ("mls init: <file> exists; ...").
   */
  protected errorLabel(): string {
    return 'Error'
  }

  /**
   * With --json: true prints a CliError as oclif's {"error": {...}} document on stdout (a command whose output is a
   * document of its own either way: init, dockerfile); false keeps it a line on stderr.
   */
  protected jsonErrorDocument(): boolean {
    return false
  }

  /** The message to show for `error` (the client commands add what does exist when a model is not found). */
  protected async explain(error: CliError): Promise<string> {
    return error.message
  }

  protected override async catch(error: Error & {oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof CliError) {
      const message = await this.explain(error)
      if (this.jsonEnabled() && this.jsonErrorDocument()) {
        process.exitCode = error.exitCode
        return super.catch(Object.assign(new Error(message), {oclif: {exit: error.exitCode}}))
      }
      process.stderr.write(`${this.errorLabel()}: ${message}\n`)
      return this.exit(error.exitCode)
    }
    // oclif's --json error path exits 1 whatever the error's exit code: keep its own (2 for bad usage).
    if (this.jsonEnabled() && error.oclif?.exit !== undefined) process.exitCode = error.oclif.exit
    return super.catch(error)
  }
}
