import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {startSettings} from '../../../src/cli/start-settings.js'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import {tracingConfig} from '../../../src/tracing/tracing-config.js'
import {newTraceparent} from '../../../src/tracing/traceparent.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

describe('tracing_server', () => {
  it('is null unless set; settings.json, MLS_TRACING_SERVER and --tracing-server set it, in that order of precedence', () => {
    const dir = tempFolder('mls-settings-')
    expect(loadServerSettings({root: dir, env: {}}).settings.tracing_server).toBeNull()
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({tracing_server: 'collector:4317'}))
    const loaded = loadServerSettings({root: dir, env: {}})
    expect(loaded.settings.tracing_server).toBe('collector:4317')
    expect(loaded.warnings.join('\n')).not.toContain('tracing_server')
    expect(loadServerSettings({root: dir, env: {MLS_TRACING_SERVER: '[::1]:4317'}}).settings.tracing_server).toBe('[::1]:4317')
    expect(startSettings({root: dir, flags: {'tracing-server': 'http://otel:4317'}, watch: false, env: {MLS_TRACING_SERVER: 'a:1'}}).settings.tracing_server).toBe('http://otel:4317')
  })

  it('a value that is not host:port (or an http(s) URL) is a settings error', () => {
    const dir = tempFolder('mls-settings-')
    expect(() => loadServerSettings({root: dir, env: {MLS_TRACING_SERVER: 'collector'}})).toThrow('environment variable MLS_TRACING_SERVER: expected host:port of an OTLP/gRPC collector')
    expect(() => loadServerSettings({root: dir, env: {MLS_TRACING_SERVER: 'grpc://c:4317'}})).toThrow('MLS_TRACING_SERVER')
  })
})

describe('tracingConfig: when tracing is configured, and where spans go', () => {
  it('is off with nothing set, and with an empty endpoint', () => {
    expect(tracingConfig(null, {})).toBeUndefined()
    expect(tracingConfig(null, {OTEL_EXPORTER_OTLP_ENDPOINT: ' '})).toBeUndefined()
    expect(tracingConfig(null, {OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc'})).toBeUndefined()
  })

  it('tracing_server: OTLP/gRPC to http://host:port, over any OTEL_EXPORTER_OTLP_* endpoint and protocol', () => {
    expect(tracingConfig('collector:4317', {})).toEqual({protocol: 'grpc', url: 'http://collector:4317', source: 'tracing_server'})
    expect(tracingConfig('https://collector:4317', {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json'})).toEqual({
      protocol: 'grpc',
      url: 'https://collector:4317',
      source: 'tracing_server',
    })
  })

  it('OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT: the protocol of the (traces) protocol variable, http/protobuf by default', () => {
    expect(tracingConfig(null, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318'})).toEqual({protocol: 'http/protobuf', source: 'OTEL_EXPORTER_OTLP_ENDPOINT'})
    expect(tracingConfig(null, {OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json'})).toEqual({
      protocol: 'http/json',
      source: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    })
    expect(tracingConfig(null, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc'})?.protocol).toBe('grpc')
    expect(() => tracingConfig(null, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift'})).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL is "thrift": expected grpc, http/protobuf or http/json',
    )
  })

  it('OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none turn it off, tracing_server or not', () => {
    expect(tracingConfig('collector:4317', {OTEL_SDK_DISABLED: 'TRUE'})).toBeUndefined()
    expect(tracingConfig(null, {OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none'})).toBeUndefined()
    expect(tracingConfig('collector:4317', {OTEL_SDK_DISABLED: 'false'})).toBeDefined()
  })
})

describe('newTraceparent', () => {
  it('is a sampled W3C traceparent of a new trace', () => {
    const a = newTraceparent()
    expect(a.traceparent).toMatch(new RegExp(`^00-${a.traceId}-[0-9a-f]{16}-01$`))
    expect(newTraceparent().traceId).not.toBe(a.traceId)
  })
})
