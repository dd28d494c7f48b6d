import {describe, expect, it} from 'vitest'
import {modelCounts, readyBanner} from '../../../src/server/ready-banner.js'

describe('the ready banner', () => {
  it('counts ready, failed and not yet loaded versions; loopback URLs for a wildcard bind; no metrics line without metrics', () => {
    const counts = modelCounts([{state: 'READY'}, {state: 'UNAVAILABLE'}, {state: 'NOT_LOADED'}])
    expect(counts).toEqual({total: 3, ready: 1, failed: 1})
    expect(readyBanner({restUrl: 'http://0.0.0.0:8080', grpcAddress: '0.0.0.0:8081', repositoryRoot: '/r', counts})).toBe(
      [
        'ready: 1 of 3 model version(s) ready, 1 failed, 1 not loaded yet',
        '  REST     http://127.0.0.1:8080',
        '  gRPC     127.0.0.1:8081',
        '  docs     http://127.0.0.1:8080/v2/docs  (Swagger UI)',
        '  next     mls repo list · mls monitor · mls ps   (why a model failed: mls repo list)',
      ].join('\n'),
    )
  })
})
