/** A one-line chart of recent values in block characters. */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']

/**
 * The last `width` values as block characters, scaled to the largest of them (0 is the lowest block, any other value
 * at least the second, so that a little traffic shows). Right-aligned: fewer values than `width` leave spaces on the left.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return ''
  const shown = values.slice(-width)
  const max = Math.max(0, ...shown)
  const chars = shown.map((value) => {
    if (!(value > 0) || max === 0) return BLOCKS[0]
    return BLOCKS[Math.max(1, Math.min(BLOCKS.length - 1, Math.round((value / max) * (BLOCKS.length - 1))))]
  })
  return ' '.repeat(width - shown.length) + chars.join('')
}
