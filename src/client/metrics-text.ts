/**
 * The Prometheus text exposition format (version 0.0.4), read into samples: enough for a client that scrapes a
 * server's `/metrics`: the samples, and each family's declared type (so a family with no series yet is still known).
 * Comments and `# HELP` lines are skipped; timestamps are ignored.
 */

/** One sample line: `name{label="value",...} value`. */
export interface MetricSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY
    case '-Inf':
      return Number.NEGATIVE_INFINITY
    default:
      return text === 'NaN' ? Number.NaN : Number(text)
  }
}

/** Reads `{a="x",b="y"}` from the start of `rest`; returns the labels and what follows the closing brace. */
function parseLabels(rest: string): {labels: Record<string, string>; rest: string} | undefined {
  const labels: Record<string, string> = {}
  let i = 1 // past '{'
  for (;;) {
    while (rest[i] === ' ' || rest[i] === ',') i++
    if (rest[i] === '}') return {labels, rest: rest.slice(i + 1)}
    const name = LABEL_NAME.exec(rest.slice(i))?.[0]
    if (name === undefined) return undefined
    i += name.length
    while (rest[i] === ' ') i++
    if (rest[i] !== '=' || rest[i + 1] !== '"') return undefined
    i += 2
    let value = ''
    for (; i < rest.length && rest[i] !== '"'; i++) {
      if (rest[i] !== '\\') {
        value += rest[i]
        continue
      }
      const next = rest[++i]
      value += next === 'n' ? '\n' : next
    }
    if (i >= rest.length) return undefined
    labels[name] = value
    i++ // past the closing quote
  }
}

/** A parsed scrape. */
export interface MetricsScrape {
  readonly samples: readonly MetricSample[]
  /** Family name (as in `# TYPE name type`) to its type: counter, gauge, histogram, summary, untyped. */
  readonly types: ReadonlyMap<string, string>
}

const TYPE_LINE = /^#\s*TYPE\s+(\S+)\s+(\S+)/

/**
 * The samples of a scrape, in order. Lines that do not parse are skipped: one odd line must not blank a dashboard.
 * `keep`, when given, says which sample names to keep: the others are not parsed further (a scrape is mostly process
 * metrics that a caller polling every second need not take apart).
 */
export function parseMetricsText(text: string, keep?: (name: string) => boolean): MetricsScrape {
  const samples: MetricSample[] = []
  const types = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '') continue
    if (line.startsWith('#')) {
      const type = TYPE_LINE.exec(line)
      if (type) types.set(type[1], type[2])
      continue
    }
    const name = NAME.exec(line)?.[0]
    if (name === undefined || (keep !== undefined && !keep(name))) continue
    let rest = line.slice(name.length)
    let labels: Record<string, string> = {}
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest)
      if (parsed === undefined) continue
      labels = parsed.labels
      rest = parsed.rest
    }
    const valueText = rest.trim().split(/\s+/)[0]
    if (valueText === undefined || valueText === '') continue
    const value = parseValue(valueText)
    if (Number.isNaN(value) && valueText !== 'NaN') continue
    samples.push({name, labels, value})
  }
  return {samples, types}
}
