/** Terminal styling: colours only on a terminal and without NO_COLOR; a small fixed-width table. */

const enabled = (stream: NodeJS.WriteStream = process.stdout) => Boolean(stream.isTTY) && process.env.NO_COLOR === undefined

const CODES = {red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1} as const
export type Colour = keyof typeof CODES

export function paint(colour: Colour, text: string, stream?: NodeJS.WriteStream): string {
  return enabled(stream) ? `\u001B[${CODES[colour]}m${text}\u001B[0m` : text
}

const STATE_COLOURS: Record<string, Colour> = {READY: 'green', LOADING: 'yellow', UNLOADING: 'yellow', UNAVAILABLE: 'red', UNKNOWN: 'gray'}

export function paintState(state: string): string {
  return paint(STATE_COLOURS[state] ?? 'gray', state)
}

// eslint-disable-next-line no-control-regex
const visibleLength = (text: string) => text.replace(/\u001B\[\d+m/g, '').length

/** Rows of cells as aligned columns; the header is bold. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visibleLength(c)))).join('  ').trimEnd()
  return [paint('bold', line(header)), ...rows.map(line)].join('\n')
}
