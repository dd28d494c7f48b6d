/**
 * The docs routes: Swagger UI at /v2/docs over the data plane's document (/v2/docs/dataplane.json), and per model
 * /v2/models/{name}[/versions/{version}]/docs over a document built from that model's metadata. Everything is served
 * from this server (swagger-ui's assets come with @fastify/swagger-ui), so the pages work offline.
 */
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type {FastifyInstance, FastifyRequest} from 'fastify'
import type {DataPlane} from '../../dataplane/dataplane.js'
import {buildDataplaneOpenApi} from './dataplane-openapi.js'
import {DATAPLANE_DOCUMENT_URL, DOCS_PREFIX, DOCUMENT_NAME, modelBasePath} from './docs-urls.js'
import {buildModelOpenApi} from './model-openapi.js'
import {swaggerPage} from './swagger-page.js'

type ModelRequest = FastifyRequest<{Params: {name: string; version?: string}}>

/** Registers the docs in their own encapsulated context (no hook or decorator of theirs leaks into the app). */
export function registerDocs(app: FastifyInstance, dataplane: DataPlane): void {
  app.register(async (docs) => {
    const server = dataplane.serverMetadata()
    const document = buildDataplaneOpenApi({title: server.name, version: server.version})

    // Static mode: the document is ours, not collected from the routes.
    await docs.register(fastifySwagger, {mode: 'static', specification: {document: document as never}})
    await docs.register(fastifySwaggerUi, {
      routePrefix: DOCS_PREFIX,
      // `urls` makes swagger-ui load our document rather than the plugin's `./json` alias of it.
      uiConfig: {urls: [{name: DOCUMENT_NAME, url: DATAPLANE_DOCUMENT_URL}], validatorUrl: null},
    })
    docs.get(DATAPLANE_DOCUMENT_URL, async () => document)

    for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
      // modelMetadata throws as GET /v2/models/{name} would (404 MODEL_UNAVAILABLE, 503 MODEL_NOT_READY, ...).
      docs.get(`${base}/docs`, async (request: ModelRequest, reply) => {
        const {name, version} = request.params
        const metadata = await dataplane.modelMetadata(name, version)
        const title = version === undefined ? `${metadata.name} docs` : `${metadata.name} ${version} docs`
        const documentUrl = `${modelBasePath(name, version)}/docs/${DOCUMENT_NAME}`
        return reply.type('text/html; charset=utf-8').send(swaggerPage({title, documentUrl}))
      })
      docs.get(`${base}/docs/${DOCUMENT_NAME}`, async (request: ModelRequest) => {
        const {name, version} = request.params
        return buildModelOpenApi(await dataplane.modelMetadata(name, version), {version, serverVersion: server.version})
      })
    }
  })
}
