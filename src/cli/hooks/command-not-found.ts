/**
 * `mls strat` / `mls reop list`: says the command does not exist and suggests the nearest one, then exits 2 (bad
 * usage), on a terminal or not. Like git, it never asks "Did you mean X? (Y/n)" and never runs the guess: a guess run
 * by accident (`mls repo unlaod` becoming unload) costs more than retyping. This is why mls has its own hook rather
 * than @oclif/plugin-not-found, which prompts on a terminal, prints no suggestion when stdin is not one, and exits 127.
 */
import type {Hook} from '@oclif/core'
import {EXIT_USAGE} from '../cli-error.js'
import {closest, editDistance} from '../did-you-mean.js'
import {printError} from '../error-report.js'

/**
 * The nearest command to what was typed, with the words after it kept as its arguments: oclif hands over
 * "strat:examples/multi-model" for `mls strat examples/multi-model`, so every leading run of words is tried.
 */
export function suggestCommand(id: string, commandIds: readonly string[]): {command: string; rest: string[]} | undefined {
  const words = id.split(':')
  let best: {command: string; rest: string[]; distance: number} | undefined
  for (let n = 1; n <= words.length; n++) {
    const typed = words.slice(0, n).join(':')
    const command = closest(typed, commandIds)
    if (command === undefined) continue
    // On a tie the longer reading wins: "repo:lst" is "repo list" mistyped, not "repo" and an argument.
    const distance = editDistance(typed, command)
    if (best === undefined || distance <= best.distance) best = {command, rest: words.slice(n), distance}
  }
  return best && {command: best.command, rest: best.rest}
}

const hook: Hook.CommandNotFound = async function (options) {
  const {config, id, argv = []} = options
  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases])
  const spaced = (s: string) => s.replaceAll(':', config.topicSeparator)
  const guess = suggestCommand(id, visible)
  const message = `"${spaced(id)}" is not an ${config.bin} command.${guess ? ` Did you mean \`${[config.bin, spaced(guess.command), ...guess.rest].join(' ')}\`?` : ''}`
  const json = argv.includes('--json') && !argv.slice(0, argv.indexOf('--json')).includes('--')
  printError({code: 'USAGE_ERROR', message, exitCode: EXIT_USAGE, hints: [`See \`${config.bin} help\` for the commands.`]}, {json, label: 'Error'})
  // Through oclif's exit, so its finally hooks run and nothing else is printed.
  this.exit(EXIT_USAGE)
}

export default hook
