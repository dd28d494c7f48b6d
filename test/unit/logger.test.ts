import {describe, expect, it} from 'vitest'
import {createLogger, silentLogger} from '../../src/logger.js'

const capture = (options: {debug: boolean; structured?: boolean}) => {
  const lines: string[] = []
  return {lines, logger: createLogger({...options, write: (line) => lines.push(line)})}
}

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

describe('logger', () => {
  it('writes one human line per event, fields as key=value', () => {
    const {lines, logger} = capture({debug: false})
    logger.info('model m loaded', {event: 'model_loaded', model: 'm', version: undefined, duration_ms: 12, reason: 'a b'})
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[mls\] INFO  model m loaded {2}event=model_loaded model=m duration_ms=12 reason="a b"$/)
  })

  it('pads every level to one width and keeps a message with newlines and quotes as it is', () => {
    const {lines, logger} = capture({debug: true})
    logger.debug('d')
    logger.warn('w', {ok: true})
    logger.error('first "line"\nsecond line')
    expect(lines.map((line) => line.slice(25))).toEqual(['[mls] DEBUG d', '[mls] WARN  w  ok=true', '[mls] ERROR first "line"\nsecond line'])
  })

  it('writes JSON objects with use_structured_logging', () => {
    const {lines, logger} = capture({debug: false, structured: true})
    logger.error('model x failed to load', {event: 'model_failed', model: 'x', reason: 'no file', version: undefined})
    const event = JSON.parse(lines[0]) as Record<string, unknown>
    expect(event).toEqual({time: expect.stringMatching(TIME), level: 'error', msg: 'model x failed to load', event: 'model_failed', model: 'x', reason: 'no file'})
  })

  it('drops debug lines unless debug is on', () => {
    const quiet = capture({debug: false})
    quiet.logger.debug('x')
    expect(quiet.lines).toEqual([])
    expect(quiet.logger.debugEnabled).toBe(false)
    const loud = capture({debug: true})
    loud.logger.debug('x')
    expect(loud.lines).toHaveLength(1)
    expect(loud.logger.debugEnabled).toBe(true)
  })

  it('gives child loggers that carry their fields on every line, in both forms', () => {
    const human = capture({debug: false})
    const model = human.logger.child({model: 'm', version: 'v1'})
    model.info('loaded', {duration_ms: 3})
    model.child({worker: 2}).warn('slow')
    human.logger.info('plain')
    expect(human.lines.map((line) => line.slice(25))).toEqual(['[mls] INFO  loaded  model=m version=v1 duration_ms=3', '[mls] WARN  slow  model=m version=v1 worker=2', '[mls] INFO  plain'])

    const json = capture({debug: true, structured: true})
    const child = json.logger.child({model: 'm', version: 'v1'})
    expect(child.debugEnabled).toBe(true)
    child.debug('loaded', {event: 'model_loaded'})
    expect(JSON.parse(json.lines[0])).toEqual({time: expect.stringMatching(TIME), level: 'debug', msg: 'loaded', model: 'm', version: 'v1', event: 'model_loaded'})
  })

  it('never writes secrets: secret fields are censored, bearer tokens and private keys cut out of messages', () => {
    const {lines, logger} = capture({debug: false, structured: true})
    logger.info('auth', {authorization: 'Bearer s3cret-1', repository_auth_token: 's3cret-2', token: 's3cret-3', key: 's3cret-4', user: 'ann'})
    logger.child({token: 's3cret-5'}).info('child')
    logger.warn('refused Authorization: Bearer s3cret-6, retry; "Bearer s3cret-7"')
    logger.error('cannot read key -----BEGIN PRIVATE KEY-----\nMIIs3cret-8\n-----END PRIVATE KEY----- from key.pem')
    logger.error('truncated -----BEGIN RSA PRIVATE KEY-----\nMIIs3cret-9')
    expect(lines.join('\n')).not.toMatch(/s3cret/)
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(events[0]).toMatchObject({authorization: '[redacted]', repository_auth_token: '[redacted]', token: '[redacted]', key: '[redacted]', user: 'ann'})
    expect(events[1]).toMatchObject({token: '[redacted]'})
    expect(events[2].msg).toBe('refused Authorization: Bearer [redacted], retry; "Bearer [redacted]"')
    // The server's own wording about the token is kept.
    logger.info('repository API (index, load, unload) needs the bearer token (repository_auth_token)')
    expect(JSON.parse(lines.at(-1)!).msg).toBe('repository API (index, load, unload) needs the bearer token (repository_auth_token)')
    expect(events[3].msg).toBe('cannot read key [redacted] from key.pem')
    expect(events[4].msg).toBe('truncated [redacted]')

    const human = capture({debug: false})
    human.logger.info('auth', {token: 's3cret'})
    expect(human.lines[0]).toMatch(/auth {2}token=\[redacted\]$/)
  })

  it('has a silent logger whose children are silent too', () => {
    expect(silentLogger.child({model: 'm'})).toBe(silentLogger)
    expect(silentLogger.debugEnabled).toBe(false)
  })
})
