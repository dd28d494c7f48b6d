/**
 * oclif's help, fitted to the terminal. oclif wraps a long flag's description for 4 columns of indent but prints it
 * with 7, so at 80 columns some lines end at 82 and the terminal breaks them again mid-word: wrapping 3 columns
 * narrower keeps every line inside. Past 100 columns the help stays 100 wide, which reads better than a full-width line.
 * Named by package.json's oclif.helpClass, so `mls help <command>`, `--help` and `-h` all use it.
 */
import {Help, type Interfaces} from '@oclif/core'

/** What oclif measures: OCLIF_COLUMNS, else the terminal's width, else 80 (not a terminal). */
function terminalWidth(): number {
  const set = Number.parseInt(process.env.OCLIF_COLUMNS ?? '', 10)
  if (set > 0) return set
  return process.stdout.isTTY && process.stdout.columns > 0 ? Math.max(40, process.stdout.columns) : 80
}

export default class MlsHelp extends Help {
  constructor(config: Interfaces.Config, options: Partial<Interfaces.HelpOptions> = {}) {
    // Not hideCommandSummaryInDescription: oclif 4 then keeps only the description's last line.
    super(config, {maxWidth: Math.min(terminalWidth(), 100) - 3, ...options})
  }
}
