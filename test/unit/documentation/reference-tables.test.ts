/**
 * The reference tables of docs/ against the code they describe: the settings.json and model-settings.json fields
 * (docs/configuration.md) against the zod schemas, and the metrics table (docs/operations.md) against the families a
 * server with every feature on registers. A field or family added without a row, or a row left behind, fails here.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import type {ResponseCache} from '../../../src/dataplane/response-cache.js'
import {IGNORED_MODEL_KEYS, IGNORED_MODEL_PARAMETER_KEYS, MODEL_PARAMETER_KEYS, MODEL_SETTINGS_KEYS} from '../../../src/settings/model-settings.js'
import {IGNORED_SERVER_KEYS, SERVER_SETTINGS_KEYS} from '../../../src/settings/server-settings.js'
import {registerCacheMetrics} from '../../../src/server/metrics/cache-metrics.js'
import {MemoryMetrics} from '../../../src/server/metrics/memory-metrics.js'
import {Metrics} from '../../../src/server/metrics/metrics.js'

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url))

/** The names in the first column of the table under `## heading` of a docs page: `a`, `b` in a cell are two names. */
function firstColumn(page: string, heading: string): string[] {
  const text = readFileSync(DOCS + page, 'utf8')
  const start = text.indexOf(`\n## ${heading}\n`)
  expect(start, `${page} has a section "${heading}"`).toBeGreaterThan(0)
  const section = text.slice(start + 1).split(/\n## /)[0]
  const rows = section.split('\n').filter((line) => line.startsWith('| `'))
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((match) => match[1]))
}

/** The prose of a section (tables left out), for the lists of accepted and ignored keys. */
function sectionText(page: string, heading: string): string {
  const text = readFileSync(DOCS + page, 'utf8')
  return text.slice(text.indexOf(`\n## ${heading}\n`) + 1).split(/\n## /)[0]
}

describe('docs/configuration.md', () => {
  it('has one settings.json row per field mls reads, and lists the MLServer keys it ignores', () => {
    expect(firstColumn('configuration.md', 'settings.json').sort()).toEqual([...SERVER_SETTINGS_KEYS].sort())
    const ignored = sectionText('configuration.md', 'settings.json').split('Accepted and ignored')[1]
    for (const key of IGNORED_SERVER_KEYS) expect(ignored, key).toMatch(key.startsWith('kafka_') ? /`kafka_\*`/ : new RegExp(`\`${key}\``))
  })

  it('has one model-settings.json row per field and parameter, and lists the ignored ones', () => {
    const documented = firstColumn('configuration.md', 'model-settings.json')
    const fields = [...MODEL_SETTINGS_KEYS.filter((key) => key !== 'parameters'), ...MODEL_PARAMETER_KEYS.map((key) => `parameters.${key}`)]
    expect(documented.sort()).toEqual(fields.sort())
    const ignored = sectionText('configuration.md', 'model-settings.json').split('Accepted and ignored')[1]
    for (const key of [...IGNORED_MODEL_KEYS, ...IGNORED_MODEL_PARAMETER_KEYS.map((key) => `parameters.${key}`)]) expect(ignored, key).toContain(`\`${key}\``)
  })
})

describe('docs/operations.md', () => {
  it('has one metrics row per family a server registers (memory budget and response cache on)', async () => {
    const metrics = new Metrics({restPrefix: 'rest_server'})
    new MemoryMetrics(metrics.registry, () => ({budget: 1024, used: 0, versions: []}))
    registerCacheMetrics(metrics.registry, {hits: 0, misses: 0, entries: 0, bytes: 0} as unknown as ResponseCache)
    const text = await metrics.registry.metrics()
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]).filter((name) => !/^(process|nodejs)_/.test(name))
    const documented = firstColumn('operations.md', 'Metrics')
    expect(documented).toContain('process_*')
    expect(documented.filter((name) => name !== 'process_*' && name !== 'nodejs_*').sort()).toEqual([...new Set(families)].sort())
    expect(new Set(documented).size, 'no family has two rows').toBe(documented.length)
  })
})
