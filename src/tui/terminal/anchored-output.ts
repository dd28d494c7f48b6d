/**
 * Flicker-free frames for a dashboard that owns the (alternate) screen. Ink redraws a frame by erasing every line of
 * the previous one, then writing the new one: between the two, a terminal may show a blank screen. (Its incremental
 * mode, in Ink 6.8, lands one row off when the frame ends in a newline, as it does unless the frame fills the screen.)
 * Since the dashboard always starts at the top-left corner, this wrapper turns Ink's "erase N lines, write" into "go
 * home, write each line over the old one, erase what is left": no line is ever blank in between. Other writes (cursor
 * hiding, synchronized-output markers) pass through unchanged, and so would a frame if Ink ever wrote it differently.
 * Lines must stay narrower than the terminal (the erase after a full-width line would eat its last character).
 */

const ESC = '\u001B['
/** ansi-escapes' eraseLines(n): n times "erase line", with "cursor up" between, then "cursor to column 1". */
const ERASE_LINES = /^(?:\u001B\[2K\u001B\[1A)*\u001B\[2K\u001B\[G/

/** The frame write `chunk` redrawn in place from the top-left corner; other writes unchanged. */
export function anchorFrame(chunk: string): string {
  const erase = ERASE_LINES.exec(chunk)
  if (erase === null) return chunk
  return `${ESC}H${chunk.slice(erase[0].length).replaceAll('\n', `${ESC}K\n`)}${ESC}J`
}

/** `stdout` as Ink sees it, with frames anchored (everything else, size and resize events included, is the stream's). */
export function anchoredOutput(stdout: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]) =>
    (stdout.write as (...args: unknown[]) => boolean)(typeof chunk === 'string' ? anchorFrame(chunk) : chunk, ...rest)
  return new Proxy(stdout, {
    get(target, property) {
      if (property === 'write') return write
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
