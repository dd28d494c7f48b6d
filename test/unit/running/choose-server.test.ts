import {describe, expect, it} from 'vitest'
import {chooseServer} from '../../../src/running/choose-server.js'
import type {RunningServer} from '../../../src/running/runtime-file.js'

const server = (pid: number, root: string): RunningServer => ({
  pid,
  rest_url: `http://127.0.0.1:${pid}`,
  grpc_address: `127.0.0.1:${pid + 1}`,
  docs_url: `http://127.0.0.1:${pid}/v2/docs`,
  repository_root: root,
  started_at: '2026-01-01T00:00:00.000Z',
  mls_version: '0.1.0',
  file: `/run/mls-${pid}.json`,
})

describe('chooseServer', () => {
  const a = server(1, '/work/a')
  const nested = server(2, '/work/a/sub')
  const b = server(3, '/work/b')

  it('the only one from anywhere; none when none runs', () => {
    expect(chooseServer([a], '/home')).toEqual({kind: 'one', server: a})
    expect(chooseServer([], '/home')).toEqual({kind: 'none'})
  })

  it('of several, the one whose root holds the folder, the deepest when roots nest; else ambiguous', () => {
    expect(chooseServer([a, b], '/work/b/models')).toEqual({kind: 'one', server: b})
    expect(chooseServer([a, nested, b], '/work/a/sub/x')).toEqual({kind: 'one', server: nested})
    expect(chooseServer([a, nested, b], '/work/a')).toEqual({kind: 'one', server: a})
    expect(chooseServer([a, b], '/work/ab')).toEqual({kind: 'ambiguous', servers: [a, b]})
    expect(chooseServer([a, server(4, '/work/a')], '/work/a')).toMatchObject({kind: 'ambiguous'})
  })

  it('onlyHolding (an explicit --repo): another repository\'s server never counts', () => {
    expect(chooseServer([b], '/work/a', {onlyHolding: true})).toEqual({kind: 'none'})
    expect(chooseServer([a, b], '/work/a', {onlyHolding: true})).toEqual({kind: 'one', server: a})
  })
})
