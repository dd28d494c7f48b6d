/**
 * The terminal's alternate screen, as full-screen programs use it: the dashboard draws on a screen of its own, and the
 * shell's screen (with its scrollback) comes back untouched when it quits, or when the process exits any other way.
 */

const ENTER = '\u001B[?1049h\u001B[H'
const LEAVE = '\u001B[?1049l'

/** Switches `stdout` to the alternate screen; the returned function switches back (once). */
export function enterAlternateScreen(stdout: NodeJS.WriteStream = process.stdout): () => void {
  stdout.write(ENTER)
  let left = false
  const leave = () => {
    if (left) return
    left = true
    process.off('exit', leave)
    stdout.write(LEAVE)
  }
  process.on('exit', leave)
  return leave
}
