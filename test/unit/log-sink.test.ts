/** The log sink (src/log-sink.ts): lines it cannot write are dropped and counted, never thrown; pending bytes are bounded. */
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {closeSync, constants, existsSync, openSync, readFileSync, readSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
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

  describe.skipIf(process.platform !== 'linux')('on a non-blocking pipe (stderr on a pipe, reopened with O_NONBLOCK)', () => {
    /** A named pipe opened at both ends without blocking, and a reader that takes what the pipe holds now. */
    const pipe = () => {
      const fifo = path.join(tempFolder('mls-sink-'), 'fifo')
      execFileSync('mkfifo', [fifo])
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
      const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      const chunk = Buffer.alloc(1 << 20)
      const read = () => {
        let text = ''
        for (;;) {
          try {
            const n = readSync(reader, chunk)
            if (n === 0) return text
            text += chunk.toString('utf8', 0, n)
          } catch {
            return text // EAGAIN: nothing more now
          }
        }
      }
      return {reader, writer, read}
    }

    it('writes every line in order while the reader reads, many times what the pipe holds', async () => {
      const {reader, writer, read} = pipe()
      const sink = new LogSink(writer, {nonBlocking: true})
      const before = logLinesDropped()
      const lines = 20_000 // 2 MB, about 30 times a pipe's 64 KiB
      for (let i = 0; i < lines; i++) sink.write(line(i))
      let text = ''
      await until(() => (text += read()).length === lines * 100)
      closeSync(writer)
      closeSync(reader)
      expect(text.length).toBe(lines * 100)
      expect(text).toBe(Array.from({length: lines}, (_, i) => line(i)).join(''))
      expect(logLinesDropped() - before).toBe(0)
    })

    it('the exit flush writes every line not yet written, waiting for a reader in another process', async () => {
      const folder = tempFolder('mls-sink-')
      const fifo = path.join(folder, 'fifo')
      const out = path.join(folder, 'out')
      execFileSync('mkfifo', [fifo])
      const cat = spawn('sh', ['-c', `exec cat < '${fifo}' > '${out}'`], {stdio: 'ignore'})
      const exited = new Promise((resolve) => cat.once('exit', resolve))
      // Keep a reading end open here (never read) so that the writing end opens whether or not cat has yet.
      const holder = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
      const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      const sink = new LogSink(writer, {nonBlocking: true})
      const before = logLinesDropped()
      for (let i = 0; i < 2000; i++) sink.write(line(i))
      // Nothing is written yet (that happens on a later turn of the event loop): the flush writes all 200 KB, more than
      // the pipe holds, in this turn, waiting on EAGAIN for cat to read.
      sink.flushSync()
      closeSync(writer)
      closeSync(holder)
      await exited
      expect(logLinesDropped() - before).toBe(0)
      expect(readFileSync(out, 'utf8')).toBe(Array.from({length: 2000}, (_, i) => line(i)).join(''))
    })

    it('a reader that stops: the event loop never blocks, the bound drops and counts, the exit flush gives up after its wait', async () => {
      const {reader, writer, read} = pipe()
      const sink = new LogSink(writer, {nonBlocking: true, maxPending: 200_000})
      const before = logLinesDropped()
      for (let i = 0; i < 3000; i++) sink.write(line(i)) // 300 KB: 2,000 fit the bound, 1,000 are dropped
      expect(logLinesDropped() - before).toBe(1000)
      // The pipe takes 64 KiB (655 whole lines and part of one); the rest waits here, retried on timers.
      await new Promise((resolve) => setTimeout(resolve, 100))
      const started = Date.now()
      sink.flushSync()
      const waited = Date.now() - started
      expect(waited).toBeGreaterThanOrEqual(900)
      expect(waited).toBeLessThan(5000)
      // Every line that was not written whole is counted (the partly written one too): what the pipe took is not.
      const pipeTook = Buffer.concat(Array.from({length: 4}, () => Buffer.from(read()))).length
      const notWritten = logLinesDropped() - before - 1000
      expect(pipeTook).toBeGreaterThan(4096)
      expect(notWritten).toBe(2000 - Math.floor(pipeTook / 100))
      closeSync(writer)
      closeSync(reader)
    })

    it('a reader that is gone (EPIPE): every line is counted, nothing throws', async () => {
      const {reader, writer} = pipe()
      closeSync(reader)
      const sink = new LogSink(writer, {nonBlocking: true})
      const before = logLinesDropped()
      for (let i = 0; i < 50; i++) sink.write(line(i))
      await until(() => logLinesDropped() - before >= 50)
      expect(logLinesDropped() - before).toBe(50)
      closeSync(writer)
    })
  })

  describe.skipIf(process.platform !== 'linux')('nonBlockingStderr: which stderr the main thread writes without the thread pool', () => {
    const SINK = pathToFileURL(fileURLToPath(new URL('../../dist/log-sink.js', import.meta.url))).href
    /** What nonBlockingStderr() answers in a fresh process whose stderr is `stderr`, after Node opened process.stderr. */
    const answerWith = (stderr: 'pipe' | 'ignore' | number, shell?: string) => {
      const script = `import {guardStandardStreams, nonBlockingStderr} from '${SINK}'; guardStandardStreams(); const fd = nonBlockingStderr(); process.stdout.write(String(fd === undefined ? 'none' : fd === 2 ? 'fd2' : 'reopened'))`
      const child = shell
        ? spawnSync('sh', ['-c', `"$0" --input-type=module -e "$1" ${shell}`, process.execPath, script], {encoding: 'utf8'})
        : spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8', stdio: ['ignore', 'pipe', stderr]})
      expect(child.status).toBe(0)
      return child.stdout
    }

    it("a socket (Node's child_process pipes, the journal) that Node made non-blocking: fd 2 itself", () => {
      expect(answerWith('pipe')).toBe('fd2')
    })

    it('a pipe (a shell\'s |): a second descriptor, opened anew', () => {
      // stderr into the pipe to cat, stdout (the answer) into a file
      const out = path.join(tempFolder('mls-sink-'), 'out')
      answerWith('pipe', `2>&1 >'${out}' | cat >/dev/null`)
      expect(readFileSync(out, 'utf8')).toBe('reopened')
    })

    it('a file: none (the thread pool writes it)', () => {
      const file = openSync(path.join(tempFolder('mls-sink-'), 'err'), 'w')
      try {
        expect(answerWith(file)).toBe('none')
      } finally {
        closeSync(file)
      }
    })
  })
})
