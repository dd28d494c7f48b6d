/** Where the docs live: the data plane's Swagger UI and document, and each model's. */

/** Swagger UI over the data plane's document; its assets are served below `${DOCS_PREFIX}/static/`. */
export const DOCS_PREFIX = '/v2/docs'
/** The file name of every OpenAPI document, below a docs page. */
export const DOCUMENT_NAME = 'dataplane.json'
/** The data plane's OpenAPI document. */
export const DATAPLANE_DOCUMENT_URL = `${DOCS_PREFIX}/${DOCUMENT_NAME}`
/** The swagger-ui assets (served by @fastify/swagger-ui, shared by every docs page). */
export const ASSETS_URL = `${DOCS_PREFIX}/static`

/** A model's base path as a client sends it: `/v2/models/<name>[/versions/<version>]`, each segment URL-encoded. */
export function modelBasePath(name: string, version?: string): string {
  const base = `/v2/models/${encodeURIComponent(name)}`
  return version === undefined ? base : `${base}/versions/${encodeURIComponent(version)}`
}
