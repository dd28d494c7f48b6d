/** The docs routes in the REST app (through inject, over a stand-in data plane): pages, documents, errors, routing. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {FastifyInstance} from 'fastify'
import type {DataPlane} from '../../../src/dataplane/dataplane.js'
import {MlsError} from '../../../src/errors.js'
import {silentLogger} from '../../../src/logger.js'
import type {ModelMetadata} from '../../../src/protocol/types.js'
import {buildRestApp, type RestObserver} from '../../../src/server/rest/app.js'
import {BodyBudget} from '../../../src/server/rest/body-budget.js'

const METADATA: ModelMetadata = {name: 'a b', versions: ['1'], platform: 'custom', inputs: [{name: 'x', datatype: 'INT32', shape: [2]}], outputs: []}

/** Knows one READY model, "a b" (version "1"), and "cold", which exists but is not loaded. */
const dataplane = {
  serverMetadata: () => ({name: 'mls', version: '9.9.9', extensions: []}),
  modelMetadata(name: string, version?: string): ModelMetadata {
    if (name === 'cold') throw new MlsError('MODEL_UNAVAILABLE', 'model "cold" is not loaded')
    if (name !== 'a b') throw new MlsError('MODEL_NOT_FOUND', `model "${name}" not found`)
    if (version !== undefined && version !== '1') throw new MlsError('MODEL_VERSION_NOT_FOUND', `model "a b" has no version "${version}"`)
    return METADATA
  },
  modelReady: () => true,
} as unknown as DataPlane

const counted: string[] = []
const observer: RestObserver = {restStarted: () => {}, restFinished: (method, path) => counted.push(`${method} ${path}`)}
let app: FastifyInstance

beforeAll(async () => {
  app = buildRestApp(dataplane, {body: {maxRequestSize: 1 << 20, maxJsonDepth: 64, bodyTimeout: 0, budget: new BodyBudget(1 << 30)}, logger: silentLogger, observer})
  await app.ready()
})
afterAll(() => app.close())

describe('docs routes', () => {
  it('serves the data plane\'s Swagger UI and document', async () => {
    const page = await app.inject('/v2/docs')
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    const document = await app.inject('/v2/docs/dataplane.json')
    expect(document.statusCode).toBe(200)
    expect(document.json()).toMatchObject({openapi: '3.1.0', info: {title: 'mls data plane', version: '9.9.9'}})
  })

  it('serves swagger-ui\'s assets from this server, and a ROUTE_NOT_FOUND for a missing one', async () => {
    const css = await app.inject('/v2/docs/static/swagger-ui.css')
    expect(css.statusCode).toBe(200)
    expect((await app.inject('/v2/docs/static/swagger-ui-bundle.js')).statusCode).toBe(200)
    const missing = await app.inject('/v2/docs/static/nope.js')
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe('ROUTE_NOT_FOUND')
  })

  it('serves a model\'s page over its own document, with no host but this one', async () => {
    const page = await app.inject('/v2/models/a%20b/docs')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('"url":"/v2/models/a%20b/docs/dataplane.json"')
    expect(page.body).toContain('"validatorUrl":null')
    expect(page.body).toContain('/v2/docs/static/swagger-ui-bundle.js')
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//)
    const document = await app.inject('/v2/models/a%20b/docs/dataplane.json')
    expect(Object.keys(document.json().paths)).toContain('/v2/models/a%20b/infer')
  })

  it('serves the versioned docs beside the versioned model routes', async () => {
    const page = await app.inject('/v2/models/a%20b/versions/1/docs')
    expect(page.body).toContain('"url":"/v2/models/a%20b/versions/1/docs/dataplane.json"')
    const document = await app.inject('/v2/models/a%20b/versions/1/docs/dataplane.json')
    expect(Object.keys(document.json().paths)).toContain('/v2/models/a%20b/versions/1/infer')
    // The model routes still answer next to the docs.
    expect((await app.inject('/v2/models/a%20b/versions/1/ready')).statusCode).toBe(200)
  })

  it('answers as the model\'s metadata would when the model is not READY or not there', async () => {
    for (const [url, status, code] of [
      ['/v2/models/cold/docs', 404, 'MODEL_UNAVAILABLE'],
      ['/v2/models/cold/docs/dataplane.json', 404, 'MODEL_UNAVAILABLE'],
      ['/v2/models/nope/docs', 404, 'MODEL_NOT_FOUND'],
      ['/v2/models/a%20b/versions/2/docs/dataplane.json', 404, 'MODEL_VERSION_NOT_FOUND'],
    ] as const) {
      const response = await app.inject(url)
      expect(response.statusCode, url).toBe(status)
      expect(response.json(), url).toMatchObject({code})
    }
  })

  it('counts docs requests under their route templates', async () => {
    counted.length = 0
    await app.inject('/v2/models/a%20b/docs')
    await app.inject('/v2/docs/static/swagger-ui.css')
    expect(counted).toEqual(['GET /v2/models/:name/docs', 'GET /v2/docs/static/*'])
  })
})
