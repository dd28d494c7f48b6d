/** The CORS policy, field by field as MLServer's CORSSettings (Starlette's CORSMiddleware) answers. */
import {describe, expect, it} from 'vitest'
import {corsPolicy} from '../../../src/server/rest/cors.js'

describe('corsPolicy', () => {
  it('has MLServer\'s defaults: no origin allowed, GET only, max_age 600', () => {
    const policy = corsPolicy({})
    expect(policy.preflight('https://app.example', 'GET', undefined)).toEqual({
      status: 400,
      text: 'Disallowed CORS origin',
      headers: {'access-control-allow-methods': 'GET', 'access-control-max-age': '600', vary: 'Origin'},
    })
    expect(policy.response('https://app.example', false)).toEqual({})
  })

  it('answers a preflight from a listed origin with that origin, the methods and the headers', () => {
    const policy = corsPolicy({allow_origins: ['https://app.example'], allow_methods: ['GET', 'post'], allow_headers: ['Authorization'], max_age: 60})
    expect(policy.preflight('https://app.example', 'POST', 'content-type, authorization')).toEqual({
      status: 200,
      text: 'OK',
      headers: {
        'access-control-allow-origin': 'https://app.example',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'accept, accept-language, authorization, content-language, content-type',
        'access-control-max-age': '60',
        vary: 'Origin',
      },
    })
    expect(policy.preflight('https://evil.example', 'DELETE', 'x-secret').text).toBe('Disallowed CORS origin, method, headers')
    expect(policy.response('https://app.example', false)).toEqual({'access-control-allow-origin': 'https://app.example', vary: 'Origin'})
    expect(policy.response('https://evil.example', false)).toEqual({})
  })

  it('matches allow_origin_regex against the whole origin', () => {
    const policy = corsPolicy({allow_origin_regex: 'https://.*\\.example\\.org'})
    expect(policy.response('https://a.example.org', false)['access-control-allow-origin']).toBe('https://a.example.org')
    expect(policy.response('https://a.example.org.evil.com', false)).toEqual({})
  })

  it('"*" allows any origin (echoed when credentials are allowed), any method, any requested header', () => {
    const open = corsPolicy({allow_origins: ['*'], allow_methods: ['*'], allow_headers: ['*'], expose_headers: ['inference-header-content-length']})
    const answer = open.preflight('https://x.example', 'PUT', 'x-anything')
    expect(answer.status).toBe(200)
    expect(answer.headers).toMatchObject({'access-control-allow-origin': '*', 'access-control-allow-headers': 'x-anything'})
    expect(answer.headers['access-control-allow-methods']).toContain('PUT')
    expect(open.response('https://x.example', false)).toEqual({'access-control-allow-origin': '*', 'access-control-expose-headers': 'inference-header-content-length'})
    const withCredentials = corsPolicy({allow_origins: ['*'], allow_credentials: true})
    expect(withCredentials.preflight('https://x.example', 'GET', undefined).headers).toMatchObject({
      'access-control-allow-origin': 'https://x.example',
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    })
    expect(withCredentials.response('https://x.example', true)).toMatchObject({'access-control-allow-origin': 'https://x.example', 'access-control-allow-credentials': 'true'})
  })
})
