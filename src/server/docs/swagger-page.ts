/**
 * A Swagger UI page over one document, built from the swagger-ui assets @fastify/swagger-ui serves locally: nothing
 * is fetched from another host (no CDN, no validator badge).
 */
import {ASSETS_URL} from './docs-urls.js'

export interface SwaggerPageOptions {
  readonly title: string
  /** The OpenAPI document's URL (a path on this server). */
  readonly documentUrl: string
}

export function swaggerPage(options: SwaggerPageOptions): string {
  const config = {
    url: options.documentUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    layout: 'StandaloneLayout',
    // swagger-ui would otherwise load a badge from validator.swagger.io.
    validatorUrl: null,
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" type="text/css" href="${ASSETS_URL}/swagger-ui.css">
<link rel="stylesheet" type="text/css" href="${ASSETS_URL}/index.css">
<link rel="icon" type="image/png" href="${ASSETS_URL}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${ASSETS_URL}/swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="${ASSETS_URL}/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script>
window.onload = function () {
  var config = ${scriptJson(config)}
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset]
  config.plugins = [SwaggerUIBundle.plugins.DownloadUrl]
  window.ui = SwaggerUIBundle(config)
}
</script>
</body>
</html>
`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** JSON that is safe inside a <script> element (no `</script>`, no `<!--`). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}
