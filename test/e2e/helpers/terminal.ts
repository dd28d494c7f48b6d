/**
 * Real terminals for e2e tests, through tmux (new-session -d, send-keys, capture-pane). Each test file gets a tmux
 * server of its own (-S, its socket in a temporary folder removed after the tests; tmux never removes it): its
 * sessions start with this process's environment (the run's TMPDIR and ORT_DISABLE_TELEMETRY), not that of whichever
 * process started the machine's shared default server. The server, and what its sessions run, ends after the file.
 */
import {execFileSync} from 'node:child_process'
import path from 'node:path'
import {afterAll, expect} from 'vitest'
import {tempFolders} from '../../temp-folders.js'
import {REPO_ROOT} from './mls-process.js'

/** Whether tmux is installed (terminal tests are skipped without it; .ci/run installs it). */
export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Terminal {
  /** What the pane shows now. */
  screen(): string
  /** Sends keys (tmux key names, or literal text after '-l'). */
  keys(...keys: string[]): void
  /** Waits (up to `ms`) until the screen matches; fails the test with the screen if it never does. */
  waitFor(pattern: string | RegExp, ms?: number): Promise<string>
  /** The process running in the pane (the shell's child). */
  pid(): number
}

export interface TerminalOptions {
  readonly columns?: number
  readonly rows?: number
  /** The working folder of the command (the repository root by default). */
  readonly cwd?: string
}

/**
 * A maker of terminals for one test file (call it at the top level or in a describe block): each terminal is a tmux
 * session of its own running `command`, then printing `EXIT=<its exit code>`, then staying on screen for a minute.
 */
export function terminals(): (name: string, command: string, options?: TerminalOptions) => Terminal {
  const folder = tempFolders()
  let socket: string | undefined
  let count = 0
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket!, ...args], {encoding: 'utf8'})
  afterAll(() => {
    try {
      if (socket !== undefined) tmux('kill-server')
    } catch {
      // no session left: already gone
    }
  })
  return (name, command, {columns = 150, rows = 40, cwd = REPO_ROOT} = {}) => {
    // Made by the first terminal, so a filtered run that starts none leaves no folder behind.
    socket ??= path.join(folder('mls-tmux-'), 'socket')
    const session = `mls-${name}-${process.pid}-${count++}`
    tmux('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', cwd, `${command}; echo "EXIT=$?"; sleep 60`)
    const screen = () => tmux('capture-pane', '-p', '-t', session)
    return {
      screen,
      keys: (...keys: string[]) => void tmux('send-keys', '-t', session, ...keys),
      async waitFor(pattern: string | RegExp, ms = 15_000): Promise<string> {
        const matches = (text: string) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text))
        for (const deadline = Date.now() + ms; Date.now() < deadline && !matches(screen()); ) await sleep(100)
        const text = screen()
        expect(text, `screen:\n${text}`).toMatch(pattern)
        return text
      },
      pid: () => Number(execFileSync('pgrep', ['-P', tmux('list-panes', '-t', session, '-F', '#{pane_pid}').trim()], {encoding: 'utf8'}).trim().split('\n')[0]),
    }
  }
}
