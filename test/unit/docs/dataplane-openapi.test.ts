/** The data plane's OpenAPI document: valid OpenAPI 3.1, every REST path, schemas from the zod request schemas. */
import {describe, expect, it} from 'vitest'
import {ERROR_CODES} from '../../../src/errors.js'
import {inferenceRequestSchema, requestInputSchema} from '../../../src/protocol/schemas.js'
import {buildDataplaneOpenApi} from '../../../src/server/docs/dataplane-openapi.js'
import {schemaComponents} from '../../../src/server/docs/schema-components.js'
import {HTTP_STATUS} from '../../../src/server/rest/error-map.js'
import {openApiErrors, pointer, schemaCompiler} from './document-checks.js'

const document = buildDataplaneOpenApi({title: 'mls', version: '1.2.3'})

/** Every REST operation mls serves (src/server/rest/routes and the docs), in OpenAPI path form. */
const REST_OPERATIONS = [
  'get /v2/health/live',
  'get /v2/health/ready',
  'get /v2',
  ...['/v2/models/{name}', '/v2/models/{name}/versions/{version}'].flatMap((base) => [
    `get ${base}`,
    `get ${base}/ready`,
    `post ${base}/infer`,
    `post ${base}/generate`,
    `post ${base}/infer_stream`,
    `post ${base}/generate_stream`,
    `get ${base}/docs`,
    `get ${base}/docs/dataplane.json`,
    `get ${base}/stats`,
    `get ${base}/config`,
  ]),
  'get /v2/models/stats',
  'post /v2/repository/index',
  'post /v2/repository/models/{name}/load',
  'post /v2/repository/models/{name}/unload',
  'get /v2/docs',
  'get /v2/docs/dataplane.json',
]

const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({path, method, operation: operation!})))

describe('buildDataplaneOpenApi', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0')
    expect(await openApiErrors(document)).toEqual([])
    expect(document.info).toMatchObject({title: 'mls data plane', version: '1.2.3'})
  })

  it('marks the repository operations (only those) with the bearer token scheme, so Swagger UI can send it', () => {
    expect(document.components.securitySchemes?.repositoryToken).toMatchObject({type: 'http', scheme: 'bearer'})
    const secured = operations.filter(({operation}) => operation.security !== undefined).map(({method, path}) => `${method} ${path}`)
    expect(secured.sort()).toEqual(['post /v2/repository/index', 'post /v2/repository/models/{name}/load', 'post /v2/repository/models/{name}/unload'])
    for (const {path, operation} of operations.filter(({path}) => path.startsWith('/v2/repository'))) {
      expect(operation.security, path).toEqual([{repositoryToken: []}])
      expect(Object.keys(operation.responses), path).toContain('401')
    }
  })

  it('describes every REST operation, and only those', () => {
    expect(operations.map(({method, path}) => `${method} ${path}`).sort()).toEqual([...REST_OPERATIONS].sort())
  })

  it('gives every operation a unique id, a tag, a 200 and a 500', () => {
    const ids = operations.map(({operation}) => operation.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const {path, operation} of operations) {
      expect(operation.tags, path).toHaveLength(1)
      expect(Object.keys(operation.responses), path).toContain('200')
      expect(Object.keys(operation.responses), path).toContain('500')
    }
  })

  it('declares every path parameter it uses', () => {
    for (const {path, operation} of operations) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      expect((operation.parameters ?? []).map((p) => p.name), path).toEqual(inPath)
    }
  })

  it('takes the infer request schema from the zod schema that validates requests', () => {
    const fromZod = schemaComponents({InferenceRequest: inferenceRequestSchema, RequestInput: requestInputSchema}, 'input')
    const {InferenceRequest, RequestInput} = document.components.schemas
    // The same structure; the document only adds descriptions.
    expect(stripDescriptions({InferenceRequest, RequestInput})).toEqual(stripDescriptions(fromZod))
    expect(InferenceRequest.required).toEqual(['inputs'])
    expect(RequestInput.required).toEqual(['name', 'shape', 'datatype', 'data'])
    expect((RequestInput.properties as Record<string, {description?: string}>).data.description).toMatch(/row-major/)
  })

  it('compiles every schema as strict JSON Schema 2020-12', () => {
    const compile = schemaCompiler(document)
    for (const name of Object.keys(document.components.schemas)) expect(() => compile(pointer('components', 'schemas', name)), name).not.toThrow()
    for (const {path, method, operation} of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        for (const type of Object.keys(response.content ?? {})) {
          expect(() => compile(pointer('paths', path, method, 'responses', status, 'content', type, 'schema')), `${method} ${path} ${status}`).not.toThrow()
        }
      }
    }
  })

  it('answers errors with {error, code}, narrowed to the codes of each status', () => {
    const compile = schemaCompiler(document)
    const at = (status: string) => compile(pointer('paths', '/v2/models/{name}/infer', 'post', 'responses', status, 'content', 'application/json', 'schema'))
    expect(at('404')({error: 'model "x" not found', code: 'MODEL_NOT_FOUND'})).toBe(true)
    expect(at('404')({error: 'bad', code: 'INVALID_SHAPE'})).toBe(false)
    expect(at('400')({error: 'bad', code: 'INVALID_SHAPE'})).toBe(true)
    expect(at('400')({error: 'bad', code: 'INVALID_SHAPE', extra: 1})).toBe(false)
    expect(at('503')({error: 'loading', code: 'MODEL_NOT_READY'})).toBe(true)
    // Each status lists codes whose kind maps to that status.
    for (const {operation} of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const example = response.content?.['application/json']?.example as {code?: keyof typeof ERROR_CODES} | undefined
        if (example?.code !== undefined) expect(HTTP_STATUS[ERROR_CODES[example.code].kind]).toBe(Number(status))
      }
    }
  })

  it('offers a request example that the documented request schema accepts', () => {
    const compile = schemaCompiler(document)
    const body = document.paths['/v2/models/{name}/infer'].post!.requestBody!.content['application/json']
    expect(compile(pointer('paths', '/v2/models/{name}/infer', 'post', 'requestBody', 'content', 'application/json', 'schema'))(body.example)).toBe(true)
    expect(inferenceRequestSchema.safeParse(body.example).success).toBe(true)
  })

  it('is the same document for the same input', () => {
    expect(buildDataplaneOpenApi({title: 'mls', version: '1.2.3'})).toEqual(document)
  })
})

function stripDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDescriptions)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'description').map(([key, v]) => [key, stripDescriptions(v)]))
}
