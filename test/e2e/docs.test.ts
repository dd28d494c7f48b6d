/**
 * Swagger UI against the built server works offline in a real browser (Debian's chromium driven headless by
 * playwright-core): "Try it out" on mnist_sklearn answers 200 with `predict`. The OpenAPI documents and every
 * documented answer are tested in-process (test/integration/docs.test.ts).
 */
import {existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {chromium} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {EXAMPLE} from './helpers/fixtures.js'
import {request} from './helpers/http.js'
import {REPO_ROOT, startMls, type MlsProcess} from './helpers/mls-process.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
/** Screenshots land here (not committed). */
const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output')
/** In CI the browser test must run (and fail without chromium); elsewhere it is skipped when chromium is absent. */
const RUN_BROWSER = existsSync(CHROMIUM) || Boolean(process.env.CI)

const MODEL = 'mnist_sklearn'

interface Document {
  paths: Record<string, Partial<Record<'get' | 'post', object>>>
}

let mls: MlsProcess

async function fetchDocument(url: string): Promise<Document> {
  const response = await request<Document>(`${mls.url}${url}`)
  expect(response.status, url).toBe(200)
  return response.body
}

/** How many operations a document has (Swagger UI shows one block each). */
function operationCount(document: Document): number {
  return Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).length, 0)
}

describe.skipIf(!RUN_BROWSER)('Swagger UI in headless chromium', () => {
  beforeAll(async () => {
    mls = await startMls(EXAMPLE)
  })
  afterAll(async () => {
    await mls?.stop()
  })

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
      const infer = page.locator('.opblock-post').filter({has: page.locator(`[data-path="/v2/models/${MODEL}/infer"]`)})
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

  it('runs "Try it out" on mnist_sklearn\'s generate_stream and shows the event stream\'s one `data:` event', {timeout: 60_000}, async () => {
    await inBrowser(async (page) => {
      await page.goto(`${mls.url}/v2/models/${MODEL}/docs`)
      const stream = page.locator('.opblock-post').filter({has: page.locator(`[data-path="/v2/models/${MODEL}/generate_stream"]`)})
      await stream.locator('.opblock-summary').click()
      await stream.getByRole('button', {name: 'Try it out'}).click()
      await stream.getByRole('button', {name: 'Execute'}).click()
      const live = stream.locator('.live-responses-table .response').first()
      await live.waitFor()
      expect((await live.locator('.response-col_status').innerText()).trim()).toBe('200')
      const shown = await live.locator('.response-col_description').innerText()
      expect(shown).toMatch(/^data: \{"model_name":"mnist_sklearn"/m)
      expect(shown).toContain('"predict"')
    })
  })

  it('shows the data plane\'s document at /v2/docs, fetching nothing off this machine', {timeout: 60_000}, async () => {
    const operations = operationCount(await fetchDocument('/v2/docs/dataplane.json'))
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
