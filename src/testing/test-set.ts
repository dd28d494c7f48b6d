/**
 * The test-set format (test-set.json beside a model-settings.json): one V2 request holding all N rows, the
 * reference predictions per output name, optional true labels, and a tolerance for floats.
 */
import {readFile} from 'node:fs/promises'
import {z} from 'zod'
import {usageError} from '../cli/cli-error.js'
import {inferenceRequestSchema} from '../protocol/schemas.js'
import {formatIssues} from '../util/zod-issues.js'

export const testSetSchema = z.object({
  request: inferenceRequestSchema,
  expected: z.record(z.string(), z.array(z.union([z.number(), z.boolean(), z.string()]))).refine((e) => Object.keys(e).length > 0, 'expected: name at least one output'),
  labels: z.array(z.union([z.number(), z.string(), z.boolean()])).optional(),
  tolerance: z.number().min(0).optional(),
})

export type TestSet = z.infer<typeof testSetSchema>

export async function readTestSet(file: string): Promise<TestSet> {
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw usageError(e.code ? `cannot read ${file}: ${e.code}` : `${file} is not valid JSON: ${e.message}`)
  }
  const parsed = testSetSchema.safeParse(raw)
  if (!parsed.success) throw usageError(`${file} is not a test set: ${formatIssues(parsed.error, raw)}`)
  const set = parsed.data
  const rows = set.request.inputs[0].shape[0] ?? 1
  for (const [name, values] of Object.entries(set.expected)) {
    if (values.length % rows !== 0) throw usageError(`${file}: expected.${name} has ${values.length} values for ${rows} rows`)
  }
  if (set.labels && set.labels.length !== rows) throw usageError(`${file}: labels has ${set.labels.length} values for ${rows} rows`)
  return set
}
