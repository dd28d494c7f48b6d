/**
 * Failed inferences by error code, as the dashboard shows them: the count since the server started, its increase over
 * the rate window, and when the dashboard last saw it grow. Metrics carry no error messages (a message is unbounded
 * text, no label value), so the codes and their counts are what "why" can say; the event list has the times.
 */

/** One error code of a model version (or of all of them). */
export interface CodeCount {
  readonly code: string
  /** Since the server started. */
  readonly total: number
  /** Over the rate window (0 until two scrapes exist). */
  readonly recent: number
  /** Wall-clock time (ms) of the poll that last saw the count grow; undefined if it has not grown while watched. */
  readonly lastSeen?: number
}

/** Requests to models (or versions) the server does not have. */
export interface UnknownModels {
  readonly total: number
  /** Over the rate window. */
  readonly recent: number
}

type Counts = ReadonlyMap<string, number>

/** The increase of a counter from `older` to `newer` (a counter that went down, a restart, counts from 0). */
export const counterIncrease = (older: number | undefined, newer: number): number => (newer >= (older ?? 0) ? newer - (older ?? 0) : newer)

/**
 * The codes of `latest`, most frequent first (then by code), with their increase since `base` (the window's first
 * scrape) and the time they last grew: `at` when they grew since `last` (the previous scrape), else as in `previous`.
 */
export function codeCounts(latest: Counts, base: Counts | undefined, last: Counts | undefined, previous: readonly CodeCount[] | undefined, at: number): CodeCount[] {
  const before = new Map((previous ?? []).map((count) => [count.code, count]))
  return [...latest]
    .filter(([, total]) => total > 0)
    .map(([code, total]) => {
      const grew = last !== undefined && counterIncrease(last.get(code), total) > 0
      const lastSeen = grew ? at : before.get(code)?.lastSeen
      return {code, total, recent: base === undefined ? 0 : counterIncrease(base.get(code), total), ...(lastSeen === undefined ? {} : {lastSeen})}
    })
    .sort((a, b) => b.total - a.total || a.code.localeCompare(b.code))
}

/** The counts of several model versions added up by code. */
export function sumCounts(all: Iterable<Counts | undefined>): Map<string, number> {
  const sum = new Map<string, number>()
  for (const counts of all) for (const [code, n] of counts ?? []) sum.set(code, (sum.get(code) ?? 0) + n)
  return sum
}

/** "INVALID_SHAPE 12, MODEL_UNAVAILABLE 3" ("none" without failures). */
export function codesText(counts: readonly CodeCount[]): string {
  return counts.length === 0 ? 'none' : counts.map((count) => `${count.code} ${count.total}`).join(', ')
}

/** "unknown models: 17 requests". */
export function unknownModelsText(unknown: UnknownModels): string {
  return `unknown models: ${unknown.total} request${unknown.total === 1 ? '' : 's'}`
}
