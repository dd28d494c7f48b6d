/**
 * The help overlay's lines, sized to the space it has: every key first, then as many of the notes as fit (each wrapped
 * to the width, whole paragraphs only), then how to close it. The box is as wide as its longest line and as high as its
 * lines, so nothing is clipped and nothing overflows, down to 80x24.
 */

/** One line of the overlay. */
export type HelpLine =
  | {readonly kind: 'title' | 'note' | 'blank' | 'close'; readonly text: string}
  | {readonly kind: 'key'; readonly key: string; readonly text: string}

/** The lines and the box around them (border and padding included). */
export interface HelpContent {
  readonly lines: readonly HelpLine[]
  readonly width: number
  readonly height: number
}

/** Border (2) and horizontal padding (2) around the text; border (2) above and below. */
const FRAME_X = 4
const FRAME_Y = 2
/** Notes wrap at most this wide (easier to read than the whole width of a large terminal). */
const NOTE_WIDTH = 72
export const KEY_WIDTH = 11

/** The keys, with what q does here. */
export function helpKeys(quitLabel: string): ReadonlyArray<readonly [string, string]> {
  return [
    ['↑ ↓  j k', 'select a model (PgUp / PgDn: 10 at a time)'],
    ['Enter', "the selected model's detail (Esc or Enter: back)"],
    ['s  S', 'sort by name, rate, p99, errors / reverse the order'],
    ['l', 'load (or reload) the selected model'],
    ['u', 'unload the selected model (confirm with y / Enter)'],
    ['r', 'refresh now'],
    ['/', 'filter by name or version (Enter keeps, Esc clears)'],
    ['Esc', 'clear the filter'],
    ['?', 'this help'],
    ['q  Ctrl+C', quitLabel],
  ]
}

const NOTES = [
  "Rates and latencies (p50, p99) cover the last few polls, from the server's metrics.",
  'INFL/Q: REST inferences in flight (all models) / requests queued for a batch or a worker; "-" where the server does not say.',
  'errors: failed inferences by error code since the server started (+N: over the rate window); unknown models: requests naming a model or version the server does not have.',
  'With a memory budget: SIZE is each version\'s memory ("~" estimated), the memory line the bytes in memory against the budget, hits and misses, evictions and loads per second.',
]

/** `text` in lines of at most `width` characters, broken at spaces (a longer word is cut). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line === '' ? word : `${line} ${word}`
    if (candidate.length <= width) line = candidate
    else {
      if (line !== '') lines.push(line)
      line = word.length > width ? `${word.slice(0, Math.max(width - 1, 0))}…` : word
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

const cut = (text: string, width: number) => (text.length > width ? `${text.slice(0, Math.max(width - 1, 0))}…` : text)

/** The overlay for a body `width` columns wide and `height` rows high. */
export function helpContent(width: number, height: number, quitLabel: string): HelpContent {
  const inner = Math.max(width - FRAME_X, 1)
  const room = Math.max(height - FRAME_Y, 1)
  const keys: HelpLine[] = helpKeys(quitLabel).map(([key, text]) => ({kind: 'key', key, text: cut(text, Math.max(inner - KEY_WIDTH, 1))}))
  const close: HelpLine = {kind: 'close', text: 'Press any key to close.'}
  let lines: HelpLine[] = [{kind: 'title', text: 'Keys'}, ...keys]
  if (lines.length + 1 > room) lines = lines.slice(0, Math.max(room - 1, 0))
  else {
    const noteWidth = Math.min(inner, NOTE_WIDTH)
    const notes: HelpLine[] = []
    for (const note of NOTES) {
      const wrapped = wrapText(note, noteWidth).map((text): HelpLine => ({kind: 'note', text}))
      // A blank line before the notes, and the close line after them.
      if (lines.length + 1 + notes.length + wrapped.length + 1 > room) break
      notes.push(...wrapped)
    }
    if (notes.length > 0) lines.push({kind: 'blank', text: ''}, ...notes)
  }
  lines.push(close)
  const longest = Math.max(...lines.map((line) => (line.kind === 'key' ? KEY_WIDTH + line.text.length : line.text.length)))
  return {lines, width: Math.min(longest + FRAME_X, Math.max(width, 1)), height: lines.length + FRAME_Y}
}
