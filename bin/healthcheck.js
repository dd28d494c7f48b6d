#!/usr/bin/env node
// The image's HEALTHCHECK (the slim image has no curl): exit 0 when GET /v2/health/ready on 127.0.0.1:$MLS_HTTP_PORT
// (default 8080) answers 200, else 1. It asks over http, then over https when http cannot talk to the port (TLS on:
// ssl_certfile / ssl_keyfile), without checking the certificate, as Kubernetes' HTTPS probes do: it only ever talks to
// 127.0.0.1. Both attempts together get 4 s (the HEALTHCHECK's --timeout is 5 s): a server that does not answer by then
// is unhealthy. Plain JavaScript with no dependency: it runs from the image as it is.
import http from 'node:http'
import https from 'node:https'

const PATH = '/v2/health/ready'
const TIMEOUT_MS = 4000
const port = process.env.MLS_HTTP_PORT || 8080
const deadline = Date.now() + TIMEOUT_MS
setTimeout(() => process.exit(1), TIMEOUT_MS).unref()

/** The status code of one GET, or a rejection when the port does not answer (in time) over that protocol. */
function status(client, options = {}) {
  return new Promise((resolve, reject) => {
    client
      .get({host: '127.0.0.1', port, path: PATH, timeout: Math.max(1, deadline - Date.now()), ...options}, (response) => {
        response.resume()
        resolve(response.statusCode)
      })
      .on('error', reject)
      .on('timeout', function () {
        this.destroy(new Error('timeout'))
      })
  })
}

status(http)
  .catch(() => status(https, {rejectUnauthorized: false}))
  .then(
    (code) => process.exit(code === 200 ? 0 : 1),
    () => process.exit(1),
  )
