/**
 * One model's OpenAPI 3.1 document: its metadata, ready and infer operations on its own paths (no parameters to fill
 * in), with the infer request schema and example built from its metadata, so "Try it out" runs as it stands.
 */
import type {ModelMetadata} from '../../protocol/types.js'
import {modelBasePath} from './docs-urls.js'
import {modelPaths} from './model-paths.js'
import {exampleRequest, modelRequestSchema} from './model-request.js'
import {OPENAPI_VERSION, type OpenApiDocument} from './openapi.js'
import {REQUEST_ANNOTATIONS} from './request-annotations.js'
import {
  errorResponseSchema,
  inferenceResponseSchema,
  modelMetadataSchema,
  modelReadyResponseSchema,
  responseOutputSchema,
  tensorMetadataSchema,
} from './response-schemas.js'
import {ref, schemaComponents} from './schema-components.js'

export interface ModelOpenApiOptions {
  /** The version the docs were asked for; undefined documents the unversioned paths (the default version). */
  readonly version?: string
  /** The server's version, the document's `info.version`. */
  readonly serverVersion: string
}

/** Builds the document from the model's metadata (as `GET /v2/models/{name}` answers it); pure. */
export function buildModelOpenApi(metadata: ModelMetadata, options: ModelOpenApiOptions): OpenApiDocument {
  const {version} = options
  const label = version === undefined ? metadata.name : `${metadata.name} ${version}`
  const request = modelRequestSchema(metadata)
  const annotations = new Map([...REQUEST_ANNOTATIONS, ...request.annotations])
  return {
    openapi: OPENAPI_VERSION,
    info: {title: label, version: options.serverVersion, description: describeModel(metadata, version)},
    tags: [{name: metadata.name, description: `Platform \`${metadata.platform}\`; versions ${metadata.versions.map((v) => `\`${v}\``).join(', ') || 'none'}.`}],
    paths: modelPaths({
      base: modelBasePath(metadata.name, version),
      parameters: [],
      idPrefix: 'model',
      tag: metadata.name,
      inferRequest: ref('InferenceRequest'),
      inferExample: exampleRequest(metadata.inputs),
      inferNote: 'The example has the model\'s inputs filled with zeros.',
    }),
    components: {
      schemas: {
        ...schemaComponents({InferenceRequest: request.schema}, 'input', annotations),
        ...schemaComponents(
          {
            Error: errorResponseSchema,
            TensorMetadata: tensorMetadataSchema,
            ModelMetadata: modelMetadataSchema,
            ModelReady: modelReadyResponseSchema,
            ResponseOutput: responseOutputSchema,
            InferenceResponse: inferenceResponseSchema,
          },
          'output',
        ),
      },
    },
  }
}

function describeModel(metadata: ModelMetadata, version: string | undefined): string {
  const tensors = (list: ModelMetadata['inputs']) => list.map((t) => `\`${t.name}\` ${t.datatype} [${t.shape.join(', ')}]`).join(', ') || 'none declared'
  const which = version === undefined ? 'its default version' : `version \`${version}\``
  return [
    `Model \`${metadata.name}\` (${which}). Inputs: ${tensors(metadata.inputs)}. Outputs: ${tensors(metadata.outputs)}.`,
    'The whole data plane: [/v2/docs](/v2/docs).',
  ].join('\n\n')
}
