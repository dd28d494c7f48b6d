/**
 * Fills a JSON template. A placeholder is `{{key}}` standing where a JSON value goes (`"http_port": {{http_port}}`);
 * it is replaced by the value's JSON encoding, so strings are quoted and escaped. After filling, object members whose
 * value is `null` are dropped (that is how optional fields such as the version disappear), an object emptied by that
 * is dropped too, and the result is re-indented with two spaces and a final newline.
 */

/** A value a placeholder can take; `null` or `undefined` removes the member that holds it. */
export type TemplateValue = string | number | boolean | null

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g

/** The placeholder keys a template uses, in order of first appearance. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1]))]
}

function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  const kept = entries.map(([k, v]) => [k, dropNulls(v)] as const).filter(([, v]) => v !== null)
  // An object the template wrote empty stays; one emptied by dropped members goes (e.g. "parameters" with no version).
  return entries.length > 0 && kept.length === 0 ? null : Object.fromEntries(kept)
}

/**
 * The template with every placeholder replaced. Throws when a placeholder has no key in `values` (a key set to
 * `undefined` is fine: it means null) or when the filled text is not JSON; `source` names the template in the message.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, TemplateValue | undefined>>, source = 'template'): string {
  const unknown = placeholders(template).filter((key) => !Object.hasOwn(values, key))
  if (unknown.length > 0) throw new Error(`${source}: unknown placeholder(s) ${unknown.map((k) => `{{${k}}}`).join(', ')}`)
  const filled = template.replace(PLACEHOLDER, (_, key: string) => JSON.stringify(values[key] ?? null))
  let parsed: unknown
  try {
    parsed = JSON.parse(filled)
  } catch (error) {
    throw new Error(`${source}: not valid JSON after filling the placeholders: ${(error as Error).message}`)
  }
  return `${JSON.stringify(dropNulls(parsed), null, 2)}\n`
}
