/** Suggestions for misspelt keys: MLServer silently ignores typos, mls names the key it probably meant. */

function distance(a: string, b: string): number {
  const previous = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]
}

/** The closest known key within a small edit distance, or undefined. */
export function didYouMean(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  const lower = key.toLowerCase()
  for (const candidate of known) {
    const d = distance(lower, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  const limit = Math.max(2, Math.floor(key.length / 4))
  return bestDistance <= limit ? best : undefined
}

/** Warnings for the keys of `raw` that are neither known nor knowingly ignored. */
export function unknownKeyWarnings(
  raw: Record<string, unknown>,
  known: readonly string[],
  ignored: readonly string[],
  where: string,
): string[] {
  const warnings: string[] = []
  for (const key of Object.keys(raw)) {
    if (known.includes(key) || ignored.includes(key)) continue
    const suggestion = didYouMean(key, known)
    warnings.push(`${where}: unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; it is ignored`)
  }
  return warnings
}
