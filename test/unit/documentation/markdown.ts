/**
 * Reading the README and docs/ as a reader of GitHub's rendering would: the code a reader copies, the links they
 * follow, and the anchors GitHub gives headings. Used by the docs tests; knows nothing of mls.
 */

/** The parts of a Markdown file, apart: code (fenced blocks, indented blocks, inline spans) and the prose around it. */
export interface MarkdownParts {
  /** Each fenced or indented block's text, and each inline code span's text. */
  readonly code: string[]
  /** The text outside any code, line by line (inline spans removed). */
  readonly prose: string[]
  /** Heading texts, in order, outside code. */
  readonly headings: string[]
}

export function splitMarkdown(text: string): MarkdownParts {
  const code: string[] = []
  const prose: string[] = []
  const headings: string[] = []
  let fence: string[] | undefined
  let indented: string[] | undefined
  let previousBlank = true
  for (const line of text.split('\n')) {
    if (fence !== undefined) {
      if (/^\s*```/.test(line)) {
        code.push(fence.join('\n'))
        fence = undefined
      } else fence.push(line)
      continue
    }
    if (/^\s*```/.test(line)) {
      fence = []
      continue
    }
    // An indented code block starts after a blank line (a list item's continuation lines are not code).
    if (/^ {4}\S/.test(line) && (indented !== undefined || previousBlank)) {
      ;(indented ??= []).push(line.slice(4))
      previousBlank = false
      continue
    }
    if (indented !== undefined && line.trim() !== '') {
      code.push(indented.join('\n'))
      indented = undefined
    }
    previousBlank = line.trim() === ''
    const heading = /^#{1,6} (.*)$/.exec(line)
    if (heading) headings.push(heading[1].trim())
    prose.push(line.replace(/`[^`]*`/g, (span) => {
      code.push(span.slice(1, -1))
      return ' '
    }))
  }
  if (indented !== undefined) code.push(indented.join('\n'))
  return {code, prose, headings}
}

/** GitHub's anchor for a heading (github-slugger): the rendered text lower-cased, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/<[^>]+>/g, '')
  return rendered.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
}

/** Every anchor a file's headings get, duplicates numbered as GitHub numbers them (`x`, `x-1`, `x-2`). */
export function anchorsOf(headings: readonly string[]): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  for (const heading of headings) {
    const slug = githubSlug(heading)
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    anchors.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return anchors
}

/** The targets of inline links and images in prose: `[text](target)`, without a title. */
export function linkTargets(prose: readonly string[]): string[] {
  const targets: string[] = []
  for (const line of prose) {
    for (const match of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) targets.push(match[1])
  }
  return targets
}

/** One `mls ...` invocation written in code: the words after `mls`, up to the end of the command. */
export interface Invocation {
  readonly words: string[]
  readonly text: string
}

/**
 * The `mls` invocations in a piece of code: `mls` where a command starts (the start of a line, after `$ `, `&&`,
 * `||`, `;`, `|` or `(`), followed by a word and a space, up to the end of the line, a pipe, `&&`, `;`, or a comment. A quoted
 * argument counts as one word, so a flag-like text inside quotes is not taken for a flag.
 */
export function mlsInvocations(code: string): Invocation[] {
  const found: Invocation[] = []
  for (const line of code.split('\n')) {
    for (const match of line.matchAll(/(?:^|\$ |&& |\|\| |; |\| |\()\s*mls +(?=[a-z][\w-]*(?:\s|$))/g)) {
      const rest = line.slice(match.index + match[0].length)
      const words: string[] = []
      for (const token of rest.matchAll(/'[^']*'|"[^"]*"|[^\s'"]+|\s+/g)) {
        const word = token[0]
        if (/^\s+$/.test(word)) continue
        if (word === '#' || word === '|' || word === '&&' || word === '||' || word === ';' || word.startsWith(')')) break
        words.push(word.replace(/[);]+$/, ''))
      }
      found.push({words, text: `mls ${rest}`})
    }
  }
  return found
}
