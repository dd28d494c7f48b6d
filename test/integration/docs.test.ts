/**
 * The docs against the server in-process (REST through `inject`): the OpenAPI documents validate as OpenAPI 3.1, every
 * documented path answers with a documented status and a body of the documented schema. Swagger UI in a real browser
 * is tested end to end (test/e2e/docs.test.ts).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openApiErrors, pointer, schemaCompiler} from '../unit/docs/document-checks.js'
import {EXAMPLE} from '../e2e/helpers/fixtures.js'
import type {HttpResult} from '../e2e/helpers/http.js'
import {startInProcess, type InProcessServer} from './helpers/in-process-server.js'

const MODEL = 'mnist_sklearn'
const VERSION = 'v1.0.0'

type Method = 'get' | 'post'
interface Operation {
  requestBody?: {content: Record<string, {example?: unknown}>}
  responses: Record<string, {content?: Record<string, unknown>}>
}
interface Document {
  paths: Record<string, Partial<Record<Method, Operation>>>
  components: object
}

let mls: InProcessServer

beforeAll(async () => {
  mls = await startInProcess(EXAMPLE)
})
afterAll(async () => {
  await mls?.close()
})

async function fetchDocument(url: string): Promise<Document> {
  const response = await mls.request<Document>(url)
  expect(response.status, url).toBe(200)
  return response.body
}

/**
 * Sends one request for a documented operation and checks the answer: a documented status, and a body of that
 * status's documented content (JSON validated against its schema; HTML by its type; nothing when none is documented).
 */
async function answersAsDocumented(document: Document, template: string, method: Method, url: string, body?: {text: string; type?: string}): Promise<HttpResult> {
  const operation = document.paths[template][method]!
  const response = await mls.request(url, {method: method.toUpperCase(), body: body?.text, headers: body?.type === undefined ? {} : {'content-type': body.type}})
  const label = `${method.toUpperCase()} ${url} -> ${response.status} ${response.text.slice(0, 200)}`
  expect(Object.keys(operation.responses), label).toContain(String(response.status))
  const content = operation.responses[String(response.status)].content ?? {}
  const [type] = Object.keys(content)
  if (type === undefined) {
    expect(response.text, label).toBe('')
  } else {
    expect(response.headers.get('content-type'), label).toContain(type)
    if (type === 'application/json') {
      const validate = schemaCompiler(document)(pointer('paths', template, method, 'responses', String(response.status), 'content', type, 'schema'))
      expect(validate(response.body), `${label}: ${JSON.stringify(validate.errors)}`).toBe(true)
    }
  }
  return response
}

function json(value: unknown): {text: string; type: string} {
  return {text: JSON.stringify(value), type: 'application/json'}
}

function operationsOf(document: Document): Array<{template: string; method: Method; operation: Operation}> {
  return Object.entries(document.paths).flatMap(([template, item]) => Object.entries(item).map(([method, operation]) => ({template, method: method as Method, operation: operation!})))
}

function fill(template: string, name = MODEL, version = VERSION): string {
  return template.replace('{name}', encodeURIComponent(name)).replace('{version}', encodeURIComponent(version))
}

/**
 * Every route the REST app serves, as `method template` in OpenAPI form (`:name` -> `{name}`), read from fastify's
 * route tree (`printRoutes`: one line per node, 4 characters of indent per level, the node's path and its methods).
 * HEAD is fastify's own twin of each GET.
 */
function servedOperations(): string[] {
  const printed = mls.app.printRoutes({commonPrefix: false})
  const prefixes: string[] = []
  const served: string[] = []
  for (const line of printed.split('\n')) {
    const match = /^([│├└─ ]*?)(\S+) \(([A-Z, ]+)\)$/.exec(line)
    if (match === null) continue
    const depth = Math.floor(match[1].length / 4)
    const url = (prefixes[depth - 1] ?? '') + match[2]
    prefixes[depth] = url
    prefixes.length = depth + 1
    const template = url.replace(/:(\w+)/g, '{$1}')
    for (const method of match[3].split(', ')) if (method !== 'HEAD') served.push(`${method.toLowerCase()} ${template}`)
  }
  return served
}

/**
 * @fastify/swagger-ui's own routes under the docs page (its assets, its wildcard, its json/yaml aliases of the document
 * it is given): every route under /v2/docs/ but the document itself.
 */
const isSwaggerUiAsset = (operation: string) => operation.startsWith('get /v2/docs') && !['get /v2/docs', 'get /v2/docs/dataplane.json'].includes(operation)

describe('OpenAPI documents', () => {
  it('document every route the server serves, and only those', async () => {
    const document = await fetchDocument('/v2/docs/dataplane.json')
    const documented = operationsOf(document).map(({template, method}) => `${method} ${template}`)
    const served = servedOperations().filter((operation) => !isSwaggerUiAsset(operation))
    // The parse found the routes (a change in printRoutes' format would otherwise pass vacuously).
    expect(served).toContain('post /v2/models/{name}/versions/{version}/infer')
    expect(served.length).toBeGreaterThan(20)
    expect([...served].sort()).toEqual([...documented].sort())
  })

  it('validate as OpenAPI 3.1: the data plane\'s and each model\'s', async () => {
    for (const url of ['/v2/docs/dataplane.json', `/v2/models/${MODEL}/docs/dataplane.json`, `/v2/models/${MODEL}/versions/${VERSION}/docs/dataplane.json`, '/v2/models/mushroom_xgboost/docs/dataplane.json']) {
      const document = await fetchDocument(url)
      expect(await openApiErrors(document), url).toEqual([])
    }
  })

  it('every path of the data plane\'s document answers 200 as documented', async () => {
    const document = await fetchDocument('/v2/docs/dataplane.json')
    const mnist = await fetchDocument(`/v2/models/${MODEL}/docs/dataplane.json`)
    const mnistExample = mnist.paths[`/v2/models/${MODEL}/infer`].post!.requestBody!.content['application/json'].example
    const lifecycle = ['/v2/repository/models/{name}/load', '/v2/repository/models/{name}/unload']
    const checked: string[] = []
    for (const {template, method, operation} of operationsOf(document)) {
      if (lifecycle.includes(template)) continue
      // The data plane's infer example (and generate's, infer_stream's, generate_stream's) only shows the form; the
      // model's own document has one that fits it.
      const example = /\/(infer|generate)(_stream)?$/.test(template) ? mnistExample : operation.requestBody?.content['application/json'].example
      const response = await answersAsDocumented(document, template, method, fill(template), example === undefined ? undefined : json(example))
      expect(response.status, `${method} ${template}`).toBe(200)
      checked.push(`${method} ${template}`)
    }
    expect(checked).toHaveLength(operationsOf(document).length - lifecycle.length)

    // Unload, see the model's paths answer the documented 404 MODEL_UNAVAILABLE, then load it back.
    expect((await answersAsDocumented(document, lifecycle[1], 'post', fill(lifecycle[1]))).status).toBe(200)
    for (const template of ['/v2/models/{name}', '/v2/models/{name}/docs', '/v2/models/{name}/docs/dataplane.json']) {
      const response = await answersAsDocumented(document, template, 'get', fill(template))
      expect(response.body, template).toMatchObject({code: 'MODEL_UNAVAILABLE'})
    }
    const infer = await answersAsDocumented(document, '/v2/models/{name}/infer', 'post', fill('/v2/models/{name}/infer'), json(mnistExample))
    expect(infer.body.code).toBe('MODEL_UNAVAILABLE')
    expect((await answersAsDocumented(document, '/v2/models/{name}/ready', 'get', fill('/v2/models/{name}/ready'))).status).toBe(400)
    expect((await answersAsDocumented(document, lifecycle[0], 'post', fill(lifecycle[0]))).status).toBe(200)
    expect((await mls.request(`/v2/models/${MODEL}/ready`)).status).toBe(200)
  })

  it('every path of the data plane\'s document answers its errors as documented', async () => {
    const document = await fetchDocument('/v2/docs/dataplane.json')
    for (const {template, method, operation} of operationsOf(document)) {
      const example = operation.requestBody?.content['application/json'].example
      const body = example === undefined ? undefined : json(example)
      if (template.includes('{name}')) {
        const unknown = await answersAsDocumented(document, template, method, fill(template, 'no_such_model'), body)
        // Readiness of a model that does not exist is a 400 {"ready": false}, as Triton answers it.
        expect(unknown.body, template).toMatchObject(template.endsWith('/ready') ? {ready: false} : {code: 'MODEL_NOT_FOUND'})
      }
      if (template.includes('{version}')) {
        const unknown = await answersAsDocumented(document, template, method, fill(template, MODEL, 'v9.9.9'), body)
        expect(unknown.body, template).toMatchObject(template.endsWith('/ready') ? {ready: false} : {code: 'MODEL_VERSION_NOT_FOUND'})
      }
      if (method === 'post') {
        const broken = await answersAsDocumented(document, template, method, fill(template), {text: '{"inputs": [', type: 'application/json'})
        expect(broken.body, template).toMatchObject({code: 'INVALID_JSON'})
        const text = await answersAsDocumented(document, template, method, fill(template), {text: 'hello', type: 'text/plain'})
        expect(text.body, template).toMatchObject({code: 'UNSUPPORTED_MEDIA_TYPE'})
      }
    }
    // The generic infer example does not fit mnist_sklearn's [-1, 64] input: a documented 400.
    const generic = document.paths['/v2/models/{name}/infer'].post!.requestBody!.content['application/json'].example
    const misfit = await answersAsDocumented(document, '/v2/models/{name}/infer', 'post', fill('/v2/models/{name}/infer'), json(generic))
    expect(misfit.status).toBe(400)
  })

  it('every path of a model\'s document answers 200 with its example, as documented', async () => {
    for (const url of [`/v2/models/${MODEL}/docs/dataplane.json`, `/v2/models/${MODEL}/versions/${VERSION}/docs/dataplane.json`, '/v2/models/mushroom_xgboost/docs/dataplane.json']) {
      const document = await fetchDocument(url)
      const operations = operationsOf(document)
      expect(operations.map(({method}) => method).sort(), url).toEqual(['get', 'get', 'post', 'post', 'post', 'post'])
      for (const {template, method, operation} of operations) {
        const example = operation.requestBody?.content['application/json'].example
        const response = await answersAsDocumented(document, template, method, template, example === undefined ? undefined : json(example))
        expect(response.status, `${url}: ${method} ${template}`).toBe(200)
      }
    }
  })
})
