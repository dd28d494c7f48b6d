import {describe, expect, it} from 'vitest'
import {createLogger} from '../../src/logger.js'

const capture = (options: {debug: boolean; structured?: boolean}) => {
  const lines: string[] = []
  return {lines, logger: createLogger({...options, write: (line) => lines.push(line)})}
}

describe('logger', () => {
  it('writes one human line per event, fields as key=value', () => {
    const {lines, logger} = capture({debug: false})
    logger.info('model m loaded', {event: 'model_loaded', model: 'm', version: undefined, duration_ms: 12, reason: 'a b'})
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[mls\] INFO  model m loaded {2}event=model_loaded model=m duration_ms=12 reason="a b"$/)
  })

  it('writes JSON objects with use_structured_logging', () => {
    const {lines, logger} = capture({debug: false, structured: true})
    logger.error('model x failed to load', {event: 'model_failed', model: 'x', reason: 'no file'})
    expect(JSON.parse(lines[0])).toMatchObject({level: 'error', msg: 'model x failed to load', event: 'model_failed', model: 'x', reason: 'no file'})
  })

  it('drops debug lines unless debug is on', () => {
    const quiet = capture({debug: false})
    quiet.logger.debug('x')
    expect(quiet.lines).toEqual([])
    const loud = capture({debug: true})
    loud.logger.debug('x')
    expect(loud.lines).toHaveLength(1)
    expect(loud.logger.debugEnabled).toBe(true)
  })
})
