/**
 * "Did you mean ...?" for a mistyped command or flag: the nearest known name by edit distance, when it is near enough
 * to be a typo rather than another word (as git does for commands: it suggests and never runs the guess).
 */

/** Levenshtein distance: insertions, deletions and substitutions, each 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}

/**
 * The candidate nearest to `typed`, or undefined when none is within a third of the typed length (at least 2 edits
 * allowed, so "strat" finds "start" and "htp-port" finds "http-port", but "ps" does not become "test").
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(typed.length / 3))
  let best: {name: string; distance: number} | undefined
  for (const name of candidates) {
    const distance = editDistance(typed, name)
    if (distance <= limit && (best === undefined || distance < best.distance)) best = {name, distance}
  }
  return best?.name
}
