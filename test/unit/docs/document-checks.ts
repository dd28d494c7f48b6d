/** Checks on an OpenAPI document shared by the unit and e2e docs tests: OpenAPI 3 validity, and JSON against its schemas. */
import {Validator} from '@seriousme/openapi-schema-validator'
import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'

/** Validates the document against the OpenAPI 3.x schema; resolves with the validator's errors (empty when valid). */
export async function openApiErrors(document: unknown): Promise<unknown[]> {
  if (!isRecord(document)) return ['the document is not a JSON object']
  const validator = new Validator()
  // The validator keeps (and may annotate) what it is given: hand it a copy.
  const result = await validator.validate(structuredClone(document))
  return result.valid ? [] : ((result.errors as unknown[] | undefined) ?? ['invalid'])
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** A JSON pointer from path segments (`/` and `~` escaped). */
export function pointer(...segments: string[]): string {
  return segments.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

/**
 * Compiles any schema of the document by its JSON pointer, with `$ref`s to `#/components/schemas/...` resolved.
 * Strict: every schema keyword must be one JSON Schema 2020-12 knows (the OpenAPI parts around them are skipped).
 */
export function schemaCompiler(document: object): (at: string) => ValidateFunction {
  const ajv = new Ajv2020({strict: true, allErrors: true, strictTypes: false, strictRequired: false})
  // The document's non-schema keywords (openapi, paths, ...) are not schema keywords: allow them at the root only.
  for (const keyword of ['openapi', 'info', 'tags', 'paths', 'components']) ajv.addKeyword(keyword)
  ajv.addSchema(document, 'doc')
  const compiled = new Map<string, ValidateFunction>()
  return (at) => {
    let validate = compiled.get(at)
    if (validate === undefined) {
      validate = ajv.compile({$ref: `doc#${at}`})
      compiled.set(at, validate)
    }
    return validate
  }
}
