/** The log sink (src/log-sink.ts): lines it cannot write are dropped and counted, never thrown; pending bytes are bounded. */
import {closeSync, existsSync, openSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {LogSink, logLinesDropped} from '../../src/log-sink.js'
import {tempFolders} from '../temp-folders.js'

const tempFolder = tempFolders()
const line = (i: number) => `${String(i).padStart(99, '.')}\n` // 100 bytes
const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

describe('LogSink', () => {
  it('writes every line in order when the destination takes them', async () => {
    const file = path.join(tempFolder('mls-sink-'), 'log')
    const fd = openSync(file, 'w')
    const sink = new LogSink(fd)
    for (let i = 0; i < 1000; i++) sink.write(line(i))
    await until(() => readFileSync(file, 'utf8').length === 100_000)
    closeSync(fd)
    expect(readFileSync(file, 'utf8')).toBe(Array.from({length: 1000}, (_, i) => line(i)).join(''))
  })

  it('bounds the bytes not yet written: past the bound a line is dropped and counted', async () => {
    const file = path.join(tempFolder('mls-sink-'), 'log')
    const fd = openSync(file, 'w')
    const sink = new LogSink(fd, {maxPending: 1000})
    const before = logLinesDropped()
    // In one turn of the event loop nothing is written yet: 10 lines fit the bound, 90 do not.
    for (let i = 0; i < 100; i++) sink.write(line(i))
    expect(logLinesDropped() - before).toBe(90)
    await until(() => readFileSync(file, 'utf8').length === 1000)
    closeSync(fd)
    expect(readFileSync(file, 'utf8')).toBe(Array.from({length: 10}, (_, i) => line(i)).join(''))
    // Written, the bound is free again.
    const after = openSync(file, 'a')
    const again = new LogSink(after, {maxPending: 1000})
    again.write(line(7))
    expect(logLinesDropped() - before).toBe(90)
    await until(() => readFileSync(file, 'utf8').length === 1100)
    closeSync(after)
  })

  it.skipIf(!existsSync('/dev/full'))('on /dev/full (ENOSPC): every line is counted, nothing throws, async, at exit and synchronous', async () => {
    const fd = openSync('/dev/full', 'w')
    try {
      const before = logLinesDropped()
      const sink = new LogSink(fd)
      for (let i = 0; i < 50; i++) sink.write(line(i))
      await until(() => logLinesDropped() - before >= 50)
      expect(logLinesDropped() - before).toBe(50)
      sink.write(line(1))
      sink.write(line(2))
      expect(() => sink.flushSync()).not.toThrow()
      await until(() => logLinesDropped() - before >= 52)
      expect(logLinesDropped() - before).toBe(52)
      const sync = new LogSink(fd, {sync: true})
      expect(() => sync.write(line(3))).not.toThrow()
      expect(logLinesDropped() - before).toBe(53)
    } finally {
      closeSync(fd)
    }
  })

  it('a closed file descriptor (EBADF) is counted, not thrown', async () => {
    const fd = openSync(path.join(tempFolder('mls-sink-'), 'log'), 'w')
    closeSync(fd)
    const before = logLinesDropped()
    const sink = new LogSink(fd, {sync: true})
    expect(() => sink.write(line(0))).not.toThrow()
    expect(logLinesDropped() - before).toBe(1)
  })
})
