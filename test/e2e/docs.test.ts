/**
 * The docs against the built server: the OpenAPI documents validate as OpenAPI 3.1, every documented path answers
 * with a documented status and a body of the documented schema, and Swagger UI works offline in a real browser
 * (Debian's chromium driven headless by playwright-core): "Try it out" on mnist_sklearn answers 200 with `predict`.
 */
import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {chromium} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openApiErrors, pointer, schemaCompiler} from '../unit/docs/document-checks.js'
import {EXAMPLE} from './helpers/fixtures.js'
import {request, type HttpResult} from './helpers/http.js'
import {REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
/** Screenshots land here (not committed). */
const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output')
/** In CI the browser test must run (and fail without chromium); elsewhere it is skipped when chromium is absent. */
const RUN_BROWSER = existsSync(CHROMIUM) || Boolean(process.env.CI)

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

let mls: MlsProcess

beforeAll(async () => {
  mls = await startMls(EXAMPLE)
})
afterAll(async () => {
  await mls?.stop()
})

async function fetchDocument(url: string): Promise<Document> {
  const response = await request<Document>(`${mls.url}${url}`)
  expect(response.status, url).toBe(200)
  return response.body
}

/**
 * Sends one request for a documented operation and checks the answer: a documented status, and a body of that
 * status's documented content (JSON validated against its schema; HTML by its type; nothing when none is documented).
 */
async function answersAsDocumented(document: Document, template: string, method: Method, url: string, body?: {text: string; type?: string}): Promise<HttpResult> {
  const operation = document.paths[template][method]!
  const response = await request(`${mls.url}${url}`, {method: method.toUpperCase(), body: body?.text, headers: body?.type === undefined ? {} : {'content-type': body.type}})
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

describe('OpenAPI documents', () => {
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
      // The data plane's infer example only shows the form; the model's own document has one that fits it.
      const example = template.endsWith('/infer') ? mnistExample : operation.requestBody?.content['application/json'].example
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
    expect((await request(`${mls.url}/v2/models/${MODEL}/ready`)).status).toBe(200)
  })

  it('every path of the data plane\'s document answers its errors as documented', async () => {
    const document = await fetchDocument('/v2/docs/dataplane.json')
    for (const {template, method, operation} of operationsOf(document)) {
      const example = operation.requestBody?.content['application/json'].example
      const body = example === undefined ? undefined : json(example)
      if (template.includes('{name}')) {
        const unknown = await answersAsDocumented(document, template, method, fill(template, 'no_such_model'), body)
        expect(unknown.body, template).toMatchObject({code: 'MODEL_NOT_FOUND'})
      }
      if (template.includes('{version}')) {
        const unknown = await answersAsDocumented(document, template, method, fill(template, MODEL, 'v9.9.9'), body)
        expect(unknown.body, template).toMatchObject({code: 'MODEL_VERSION_NOT_FOUND'})
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
      expect(operations.map(({method}) => method).sort(), url).toEqual(['get', 'get', 'post'])
      for (const {template, method, operation} of operations) {
        const example = operation.requestBody?.content['application/json'].example
        const response = await answersAsDocumented(document, template, method, template, example === undefined ? undefined : json(example))
        expect(response.status, `${url}: ${method} ${template}`).toBe(200)
      }
    }
  })
})

describe.skipIf(!RUN_BROWSER)('Swagger UI in headless chromium', () => {
  /** Opens a fresh browser profile, runs `steps` on one page, and hands back every URL the page requested. */
  async function inBrowser(steps: (page: import('playwright-core').Page) => Promise<void>): Promise<string[]> {
    const profile = mkdtempSync(path.join(tmpdir(), 'mls-chromium-'))
    const context = await chromium.launchPersistentContext(profile, {executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 30_000})
    const requested: string[] = []
    context.on('request', (r) => requested.push(r.url()))
    try {
      const page = context.pages()[0] ?? (await context.newPage())
      page.setDefaultTimeout(20_000)
      await steps(page)
      return requested
    } finally {
      await context.close()
      rmSync(profile, {recursive: true, force: true})
    }
  }

  const offHost = (urls: string[]) => urls.filter((url) => !url.startsWith('data:') && new URL(url).hostname !== '127.0.0.1')

  it('runs "Try it out" on mnist_sklearn\'s infer and shows a 200 with `predict`, fetching nothing off this machine', {timeout: 60_000}, async () => {
    let answer: {status: number; body: {outputs: Array<{name: string}>}} | undefined
    const requested = await inBrowser(async (page) => {
      await page.goto(`${mls.url}/v2/models/${MODEL}/docs`)
      const infer = page.locator('.opblock-post').filter({hasText: `/v2/models/${MODEL}/infer`})
      await infer.locator('.opblock-summary').click()
      await infer.getByRole('button', {name: 'Try it out'}).click()
      const answered = page.waitForResponse((r) => r.url().endsWith(`/v2/models/${MODEL}/infer`) && r.request().method() === 'POST')
      await infer.getByRole('button', {name: 'Execute'}).click()
      const response = await answered
      answer = {status: response.status(), body: await response.json()}
      // What the page shows: the live response's status and body.
      const live = infer.locator('.live-responses-table .response').first()
      await live.waitFor()
      expect((await live.locator('.response-col_status').innerText()).trim()).toBe('200')
      expect(await live.locator('.response-col_description').innerText()).toContain('"predict"')
      mkdirSync(OUTPUT_DIR, {recursive: true})
      await page.screenshot({path: path.join(OUTPUT_DIR, `docs-${MODEL}.png`), fullPage: true})
    })
    expect(answer?.status).toBe(200)
    expect(answer?.body.outputs.map((o) => o.name)).toContain('predict')
    expect(requested).toContain(`${mls.url}/v2/models/${MODEL}/docs/dataplane.json`)
    expect(offHost(requested)).toEqual([])
  })

  it('shows the data plane\'s document at /v2/docs, fetching nothing off this machine', {timeout: 60_000}, async () => {
    const operations = operationsOf(await fetchDocument('/v2/docs/dataplane.json')).length
    const requested = await inBrowser(async (page) => {
      await page.goto(`${mls.url}/v2/docs`)
      await page.locator('.opblock').filter({hasText: '/v2/repository/index'}).waitFor()
      expect(await page.locator('.opblock').count()).toBe(operations)
      mkdirSync(OUTPUT_DIR, {recursive: true})
      await page.screenshot({path: path.join(OUTPUT_DIR, 'docs-dataplane.png')})
    })
    expect(requested).toContain(`${mls.url}/v2/docs/dataplane.json`)
    expect(offHost(requested)).toEqual([])
  })
})
