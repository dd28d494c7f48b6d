/**
 * A command line that does not parse (an unknown flag, a bad flag value, a missing argument, flags that exclude each
 * other, a folder that does not exist): one plain message, printed with the command's usage line and where its help
 * is, exit 2. oclif's own parser errors are rewritten into it: their indented lists, colours and "See more help with
 * --help" dropped, an unknown flag given the nearest flag the command has.
 */
import {stripVTControlCharacters} from 'node:util'
import {CliError, EXIT_USAGE} from './cli-error.js'
import {closest} from './did-you-mean.js'

export class ParseError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE)
    this.name = 'ParseError'
  }
}

/** "unknown flag --htp-port (did you mean --http-port?)" for each flag typed (as oclif lists them, maybe with =value). */
function unknownFlags(typed: readonly string[], known: readonly string[]): string {
  const described = typed.map((flag) => {
    const name = flag.replace(/=.*$/s, '')
    const guess = name.startsWith('--') ? closest(name.slice(2), known) : undefined
    return guess === undefined ? name : `${name} (did you mean --${guess}?)`
  })
  return `unknown flag${typed.length === 1 ? '' : 's'} ${described.join(', ')}`
}

/** oclif's "--a=x cannot also be provided when using --b", once per pair rather than once per direction. */
function exclusive(lines: readonly string[]): string[] {
  const pairs = new Map<string, string>()
  const rest: string[] = []
  for (const line of lines) {
    const match = /^--([\w-]+)(?:=.*)? cannot also be provided when using --([\w-]+)$/s.exec(line)
    if (match === null) rest.push(line)
    else pairs.set([match[1], match[2]].sort().join(' '), `--${match[1]} and --${match[2]} cannot be used together`)
  }
  return [...pairs.values(), ...rest]
}

/**
 * The ParseError for an error oclif's parser threw; `flags`: the command's flag names (with no-<name> for negatable
 * ones) to suggest from.
 */
export function toParseError(error: Error & {flags?: unknown; args?: unknown}, flags: readonly string[]): ParseError {
  if (error instanceof ParseError) return error
  if (Array.isArray(error.flags) && /^Nonexistent flag/.test(error.message)) return new ParseError(unknownFlags(error.flags.map(String), flags))
  if (Array.isArray(error.args) && /^Missing \d+ required arg/.test(error.message)) {
    const args = (error.args as Array<{name: string; description?: string}>).map((a) => `${a.name.toUpperCase()}${a.description ? ` (${a.description})` : ''}`)
    return new ParseError(`missing ${args.join(', ')}`)
  }
  const lines = stripVTControlCharacters(error.message)
    .replace(/^Parsing (--[\w-]+)\s*\n\s*/, '$1: ')
    .replace(/Missing required flag ([\w-]+)/g, 'missing --$1')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'See more help with --help' && !/^The following errors? occurred:$/.test(line))
  return new ParseError(exclusive(lines).join('; '))
}
