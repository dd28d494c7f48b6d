/**
 * The OpenAPI 3.1 pieces both documents (the data plane's and each model's) are made of: the document shape, JSON
 * and HTML responses, and error responses grouped by the HTTP status the REST adapter maps their codes to.
 */
import {ERROR_CODES, type ErrorCode} from '../../errors.js'
import {HTTP_STATUS} from '../rest/error-map.js'
import {ref, type JsonSchema} from './schema-components.js'

export const OPENAPI_VERSION = '3.1.0'

export interface OpenApiResponse {
  description: string
  content?: Record<string, {schema: JsonSchema; example?: unknown}>
}

export interface OpenApiParameter {
  name: string
  in: 'path'
  required: true
  description: string
  schema: JsonSchema
}

export interface OpenApiOperation {
  operationId: string
  tags: string[]
  summary: string
  description?: string
  parameters?: OpenApiParameter[]
  requestBody?: {required: boolean; description?: string; content: Record<string, {schema: JsonSchema; example?: unknown}>}
  responses: Record<string, OpenApiResponse>
  /** Security requirements, e.g. `[{repositoryToken: []}]`. */
  security?: Array<Record<string, string[]>>
}

export type OpenApiPathItem = Partial<Record<'get' | 'post', OpenApiOperation>>

export interface OpenApiDocument {
  openapi: typeof OPENAPI_VERSION
  info: {title: string; version: string; description?: string}
  tags?: Array<{name: string; description: string}>
  paths: Record<string, OpenApiPathItem>
  components: {schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, {type: 'http'; scheme: 'bearer'; description: string}>}
}

/** A response whose body is JSON of the given schema. */
export function jsonResponse(description: string, schema: JsonSchema): OpenApiResponse {
  return {description, content: {'application/json': {schema}}}
}

/** A response whose body is an HTML page. */
export function htmlResponse(description: string): OpenApiResponse {
  return {description, content: {'text/html': {schema: {type: 'string'}}}}
}

/** A POST body of JSON, with the example Swagger UI's "Try it out" starts from. */
export function jsonRequestBody(schema: JsonSchema, example: unknown, required: boolean, description?: string): OpenApiOperation['requestBody'] {
  return {required, ...(description === undefined ? {} : {description}), content: {'application/json': {schema, example}}}
}

/** Errors any request with a body can meet before an endpoint sees it. */
export const BODY_ERRORS: readonly ErrorCode[] = ['INVALID_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE']
/** Errors of naming a model or version that is not there. */
export const LOOKUP_ERRORS: readonly ErrorCode[] = ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND']
/** Errors of asking a model that exists to serve. */
export const SERVING_ERRORS: readonly ErrorCode[] = [...LOOKUP_ERRORS, 'MODEL_UNAVAILABLE', 'MODEL_NOT_READY']
/** Everything an inference request can fail with. */
export const INFER_ERRORS: readonly ErrorCode[] = [
  ...SERVING_ERRORS,
  'EMPTY_BODY',
  'INVALID_REQUEST',
  'INVALID_DATATYPE',
  'INVALID_SHAPE',
  'INVALID_DATA',
  'INPUT_MISMATCH',
  'OUTPUT_NOT_FOUND',
  'INFERENCE_FAILED',
  'QUEUE_FULL',
  'INFER_TIMEOUT',
  'SERVER_STOPPING',
  ...BODY_ERRORS,
]

/**
 * One response per HTTP status the codes map to (INTERNAL always included). Each lists its codes and narrows the
 * error body's `code` to them, so a client sees exactly which codes a status can carry.
 */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, OpenApiResponse> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of new Set([...codes, 'INTERNAL' as const])) {
    const status = HTTP_STATUS[ERROR_CODES[code].kind]
    byStatus.set(status, [...(byStatus.get(status) ?? []), code])
  }
  const responses: Record<string, OpenApiResponse> = {}
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const description = group.map((code) => `- \`${code}\`: ${ERROR_CODES[code].description}`).join('\n')
    const schema = {allOf: [ref('Error'), {properties: {code: {enum: group}}}]}
    // Without an example, swagger-ui would show the first code of the whole catalogue for every status.
    const example = {error: ERROR_CODES[group[0]].description, code: group[0]}
    responses[String(status)] = {description, content: {'application/json': {schema, example}}}
  }
  return responses
}
