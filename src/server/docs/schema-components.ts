/**
 * zod schemas -> OpenAPI 3.1 `components.schemas` (JSON Schema 2020-12, the dialect OpenAPI 3.1 uses). A schema that
 * appears under a component name is referenced as `#/components/schemas/<name>` wherever it recurs.
 */
import {z} from 'zod'

/** A JSON Schema object as it appears in the document. */
export type JsonSchema = Record<string, unknown>

/**
 * Titles and descriptions for schemas that carry none themselves (the request schemas in src/protocol, schemas built
 * per request), keyed by the zod schema itself. Unlike `.meta()`, this leaves zod's global registry untouched.
 */
export type Annotations = ReadonlyMap<z.core.$ZodType, Annotation>

export interface Annotation {
  readonly title?: string
  readonly description?: string
}

/** The `$ref` to a component. */
export function ref(name: string): JsonSchema {
  return {$ref: `#/components/schemas/${name}`}
}

/**
 * Converts named zod schemas to components. `io: 'input'` describes what a request may send (unknown keys allowed,
 * defaults optional); `'output'` describes what the server answers (unknown keys absent).
 */
export function schemaComponents(schemas: Readonly<Record<string, z.ZodType>>, io: 'input' | 'output', annotations: Annotations = new Map()): Record<string, JsonSchema> {
  const registry = z.registry<{id: string}>()
  for (const [name, schema] of Object.entries(schemas)) registry.add(schema, {id: name})
  const {schemas: converted} = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
    override: ({zodSchema, jsonSchema}) => {
      const annotation = annotations.get(zodSchema)
      if (annotation !== undefined) Object.assign(jsonSchema, annotation)
    },
  })
  const components: Record<string, JsonSchema> = {}
  for (const name of Object.keys(schemas)) {
    // `$id` would be a URI with a fragment (not allowed in 2020-12) and `$schema` is the document's dialect already.
    const {$id: _id, $schema: _schema, ...rest} = converted[name] as JsonSchema
    components[name] = rest
  }
  return components
}
