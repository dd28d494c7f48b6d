/**
 * The data plane's OpenAPI 3.1 document: every REST path, with request schemas generated from the zod schemas that
 * validate the requests (src/protocol/schemas.ts) and response schemas from ./response-schemas.ts.
 */
import {inferenceRequestSchema, repositoryIndexRequestSchema, requestInputSchema} from '../../protocol/schemas.js'
import {DATAPLANE_DOCUMENT_URL, DOCS_PREFIX, DOCUMENT_NAME} from './docs-urls.js'
import {allStatisticsPath, EXTENSIONS_TAG, modelExtensionPaths} from './model-extension-paths.js'
import {modelPaths} from './model-paths.js'
import {
  BODY_ERRORS,
  errorResponses,
  htmlResponse,
  jsonRequestBody,
  jsonResponse,
  OPENAPI_VERSION,
  SERVING_ERRORS,
  type OpenApiDocument,
  type OpenApiParameter,
  type OpenApiPathItem,
} from './openapi.js'
import {REQUEST_ANNOTATIONS} from './request-annotations.js'
import {RESPONSE_SCHEMAS} from './response-schemas.js'
import {ref, schemaComponents} from './schema-components.js'

export interface DataplaneOpenApiInfo {
  /** The server's name (`server_name`). */
  readonly title: string
  /** The server's version. */
  readonly version: string
}

/** A shape any model's inputs could have: the generic example only shows the request's form. */
const GENERIC_EXAMPLE = {inputs: [{name: 'input', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0]}]}

const NAME: OpenApiParameter = {name: 'name', in: 'path', required: true, description: 'The model\'s name.', schema: {type: 'string'}}
const VERSION: OpenApiParameter = {name: 'version', in: 'path', required: true, description: 'One of the model\'s versions.', schema: {type: 'string'}}
const NAME_ONLY = [NAME]
const NAME_VERSION = [NAME, VERSION]

const DESCRIPTION = `The Open Inference Protocol (KServe V2) over REST.

Every failure is an HTTP status and \`{"error", "code"}\` with a stable code. Each model has its own docs at
\`/v2/models/{name}/docs\` (and \`/v2/models/{name}/versions/{version}/docs\`), whose infer example is built from the
model's inputs, so "Try it out" runs as it stands.`

/** Builds the document; pure, so the same input gives the same document. */
export function buildDataplaneOpenApi(info: DataplaneOpenApiInfo): OpenApiDocument {
  const inferNote = `The example only shows the request's form: \`/v2/models/{name}/docs\` has one that fits the model.`
  const models = {tag: 'models', inferRequest: ref('InferenceRequest'), inferExample: GENERIC_EXAMPLE, inferNote}
  return {
    openapi: OPENAPI_VERSION,
    info: {title: `${info.title} data plane`, version: info.version, description: DESCRIPTION},
    tags: [
      {name: 'health', description: 'Liveness, readiness and server metadata.'},
      {name: 'models', description: 'Model metadata, readiness and inference; each also under `/versions/{version}`.'},
      {name: EXTENSIONS_TAG, description: 'Triton\'s statistics and model configuration extensions; each also under `/versions/{version}`.'},
      {name: 'repository', description: 'The model repository extension: index, load, unload.'},
      {name: 'docs', description: 'These docs: Swagger UI pages and their OpenAPI documents.'},
    ],
    paths: {
      ...healthPaths(),
      ...modelPaths({...models, base: '/v2/models/{name}', parameters: NAME_ONLY, idPrefix: 'model'}),
      ...modelPaths({...models, base: '/v2/models/{name}/versions/{version}', parameters: NAME_VERSION, idPrefix: 'modelVersion'}),
      ...allStatisticsPath(),
      ...modelExtensionPaths({base: '/v2/models/{name}', parameters: NAME_ONLY, idPrefix: 'model', versioned: false}),
      ...modelExtensionPaths({base: '/v2/models/{name}/versions/{version}', parameters: NAME_VERSION, idPrefix: 'modelVersion', versioned: true}),
      ...repositoryPaths(),
      ...docsPaths(),
    },
    components: {
      schemas: {
        ...schemaComponents({InferenceRequest: inferenceRequestSchema, RequestInput: requestInputSchema, RepositoryIndexRequest: repositoryIndexRequestSchema}, 'input', REQUEST_ANNOTATIONS),
        ...schemaComponents(RESPONSE_SCHEMAS, 'output'),
      },
      securitySchemes: {
        [REPOSITORY_TOKEN]: {
          type: 'http',
          scheme: 'bearer',
          description: 'The repository API token (`repository_auth_token`); needed only when the server sets one. Inference, metadata and health never need it.',
        },
      },
    },
  }
}

function healthPaths(): Record<string, OpenApiPathItem> {
  const internal = errorResponses([])
  return {
    '/v2/health/live': {
      get: {operationId: 'serverLive', tags: ['health'], summary: 'Server live', responses: {'200': jsonResponse('The server is up.', ref('Live')), ...internal}},
    },
    '/v2/health/ready': {
      get: {
        operationId: 'serverReady',
        tags: ['health'],
        summary: 'Server ready',
        description: 'Ready once start-up loading has finished and at least one model is READY (every model with `strict_readiness`).',
        responses: {
          '200': jsonResponse('Ready: `{"ready": true}`.', ref('ServerReady')),
          '503': jsonResponse('Not ready: `{"ready": false}`.', ref('ServerReady')),
          ...internal,
        },
      },
    },
    '/v2': {
      get: {operationId: 'serverMetadata', tags: ['health'], summary: 'Server metadata', responses: {'200': jsonResponse('Name, version and extensions.', ref('ServerMetadata')), ...internal}},
    },
  }
}

/** The security scheme of the repository operations (Swagger UI's "Authorize" fills it in). */
export const REPOSITORY_TOKEN = 'repositoryToken'

function repositoryPaths(): Record<string, OpenApiPathItem> {
  const empty = {description: 'Done; the body is empty.'}
  const security = [{[REPOSITORY_TOKEN]: []}]
  return {
    '/v2/repository/index': {
      post: {
        operationId: 'repositoryIndex',
        security,
        tags: ['repository'],
        summary: 'Repository index',
        description: 'Every model version with its state; `{"ready": true}` lists only the READY ones. The body is optional.',
        requestBody: jsonRequestBody(ref('RepositoryIndexRequest'), {ready: false}, false),
        responses: {'200': jsonResponse('The model versions.', ref('RepositoryIndex')), ...errorResponses(['INVALID_REQUEST', ...BODY_ERRORS, 'UNAUTHENTICATED'])},
      },
    },
    '/v2/repository/models/{name}/load': {
      post: {
        operationId: 'repositoryModelLoad',
        security,
        tags: ['repository'],
        summary: 'Load or reload a model',
        description: 'Re-reads the repository for this name and loads every version; a READY model is reloaded rolling (the old instance serves until the new one is READY).',
        parameters: NAME_ONLY,
        responses: {'200': empty, ...errorResponses(['MODEL_NOT_FOUND', 'MODEL_LOAD_FAILED', ...BODY_ERRORS, 'UNAUTHENTICATED'])},
      },
    },
    '/v2/repository/models/{name}/unload': {
      post: {
        operationId: 'repositoryModelUnload',
        security,
        tags: ['repository'],
        summary: 'Unload a model',
        description: 'Unloads every version of the name after its in-flight requests finish; they stay in the index as UNAVAILABLE / `unloaded`.',
        parameters: NAME_ONLY,
        responses: {'200': empty, ...errorResponses(['MODEL_NOT_FOUND', ...BODY_ERRORS, 'UNAUTHENTICATED'])},
      },
    },
  }
}

function docsPaths(): Record<string, OpenApiPathItem> {
  // A model's docs answer as its metadata would: the same errors when it is not READY.
  const page = (operationId: string, summary: string, parameters: OpenApiParameter[]) => ({
    get: {
      operationId,
      tags: ['docs'],
      summary,
      ...(parameters.length > 0 ? {parameters} : {}),
      responses: {'200': htmlResponse('Swagger UI.'), ...errorResponses(parameters.length > 0 ? SERVING_ERRORS : [])},
    },
  })
  const document = (operationId: string, summary: string, parameters: OpenApiParameter[]) => ({
    get: {
      operationId,
      tags: ['docs'],
      summary,
      ...(parameters.length > 0 ? {parameters} : {}),
      responses: {'200': jsonResponse('An OpenAPI 3.1 document.', ref('OpenApiDocument')), ...errorResponses(parameters.length > 0 ? SERVING_ERRORS : [])},
    },
  })
  return {
    [DOCS_PREFIX]: page('docs', 'Swagger UI of the data plane', []),
    [DATAPLANE_DOCUMENT_URL]: document('docsDocument', 'This document', []),
    '/v2/models/{name}/docs': page('modelDocs', 'Swagger UI of one model (answers as its metadata would when it is not READY)', NAME_ONLY),
    [`/v2/models/{name}/docs/${DOCUMENT_NAME}`]: document('modelDocsDocument', 'One model\'s OpenAPI document', NAME_ONLY),
    '/v2/models/{name}/versions/{version}/docs': page('modelVersionDocs', 'Swagger UI of one model version', NAME_VERSION),
    [`/v2/models/{name}/versions/{version}/docs/${DOCUMENT_NAME}`]: document('modelVersionDocsDocument', 'One model version\'s OpenAPI document', NAME_VERSION),
  }
}
