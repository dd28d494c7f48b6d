/** `mls bench`'s report of a run, and the failure (exit 1) it ends with when requests failed. */
import {describe, expect, it} from 'vitest'
import type {LevelResult} from '../../../src/benchmark/run-benchmark.js'
import {benchFailure, benchReport, type BenchOptions} from '../../../src/cli/run-bench.js'

const options: BenchOptions = {
  model: 'digits',
  levels: [1, 4],
  shapes: new Map(),
  durationSeconds: 2,
  warmupSeconds: 0,
  timeoutSeconds: 30,
  random: false,
  batchSize: 8,
  binary: true,
  transport: 'grpc',
}

const level = (concurrency: number, requests: number, errors = 0, firstError?: string): LevelResult => ({
  concurrency,
  requests,
  errors,
  ...(firstError === undefined ? {} : {firstError}),
  durationMs: 2000,
  requestsPerSecond: (requests - errors) / 2,
  rowsPerSecond: ((requests - errors) / 2) * 8,
  latencyMs: null,
})

const sent = {target: '127.0.0.1:8081', source: {source: 'test-set', file: '/repo/digits/test-set.json'} as const, requests: 3}

describe('benchReport', () => {
  it('says what was asked and what answered, with the totals over every level', () => {
    const report = benchReport(options, sent, {version: 'v2', levels: [level(1, 10), level(4, 40, 3, 'server error 400')]})
    expect(report).toEqual({
      model: 'digits',
      version: 'v2',
      transport: 'grpc',
      target: '127.0.0.1:8081',
      binary: true,
      batchSize: 8,
      data: {source: 'test-set', file: '/repo/digits/test-set.json', requests: 3},
      durationSeconds: 2,
      warmupSeconds: 0,
      levels: [level(1, 10), level(4, 40, 3, 'server error 400')],
      errors: 3,
      requests: 50,
    })
  })

  it('names the version asked for when the answers did not, and --requests as requests per level', () => {
    const report = benchReport({...options, version: 'v1', durationSeconds: undefined, maxRequests: 100}, sent, {levels: [level(1, 100)]})
    expect(report).toMatchObject({version: 'v1', requestsPerLevel: 100})
    expect(report).not.toHaveProperty('durationSeconds')
    expect(benchReport(options, sent, {levels: []})).not.toHaveProperty('version')
  })
})

describe('benchFailure', () => {
  it('is nothing when every request was answered, else exit 1 naming the first failure', () => {
    expect(benchFailure(benchReport(options, sent, {levels: [level(1, 10), level(4, 40)]}))).toBeUndefined()
    const failure = benchFailure(benchReport(options, sent, {levels: [level(1, 10), level(4, 40, 5, 'no answer within 30 s')]}))
    expect(failure?.exitCode).toBe(1)
    expect(failure?.message).toBe('5 of 50 requests failed (first, at concurrency 4: no answer within 30 s)')
  })
})
