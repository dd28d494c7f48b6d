/**
 * Where the server's log lines go when nothing else takes them: a file descriptor (stderr), written so that logging
 * never stops or kills the server. A line that cannot be written (stderr on a full disk or on /dev/full, a pipe whose
 * reader is gone, a reader that stopped reading) is dropped and counted, never thrown: `logLinesDropped()` is the
 * count behind the metric `mls_log_lines_dropped_total`.
 *
 * On the main thread writes are asynchronous (the libuv thread pool): lines coalesce into one write while one is in
 * flight, and a reader that stops reading holds that write, not the event loop. Bytes not yet written are bounded
 * (MAX_PENDING_LOG_BYTES); a line past the bound is dropped. What is pending at exit is written synchronously, with a
 * bounded wait for a busy pipe. Worker threads write synchronously (the exit flush is the main thread's only).
 */
import {write as writeAsync, writeSync} from 'node:fs'
import type {Writable} from 'node:stream'

/** Bytes of log lines accepted but not yet written; past it new lines are dropped (and counted). */
export const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024
/** A busy pipe (EAGAIN) is retried after this long. */
const RETRY_MS = 10
/** How long, in all, the synchronous writes (exit flush, worker threads) wait for a busy pipe. */
const SYNC_WAIT_MS = 500

let dropped = 0

/** Log lines dropped by this thread because they could not be written (mls_log_lines_dropped_total). */
export function logLinesDropped(): number {
  return dropped
}

/** Why a write failed, when it says the destination is busy rather than gone or full. */
const isBusy = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'EAGAIN' || code === 'EBUSY'
}

const pause = new Int32Array(new SharedArrayBuffer(4))
/** Blocks this thread for `ms` (a synchronous write waiting for a busy pipe). */
const sleep = (ms: number) => void Atomics.wait(pause, 0, 0, ms)

export interface LogSinkOptions {
  /** Write synchronously (worker threads). */
  readonly sync?: boolean
  /** The bound on bytes not yet written (MAX_PENDING_LOG_BYTES). */
  readonly maxPending?: number
}

export class LogSink {
  /** Lines not yet handed to a write. */
  private pending: string[] = []
  /** Bytes accepted and not yet written: the pending lines and what is left of the write in flight. */
  private bytes = 0
  private inFlight = false
  private readonly maxPending: number

  constructor(
    private readonly fd: number,
    private readonly options: LogSinkOptions = {},
  ) {
    this.maxPending = options.maxPending ?? MAX_PENDING_LOG_BYTES
  }

  /** Queues one line (with its newline); never throws. */
  write(line: string): void {
    if (this.options.sync) {
      this.writeNow([line])
      return
    }
    const size = Buffer.byteLength(line)
    if (this.bytes + size > this.maxPending) {
      dropped++
      return
    }
    this.pending.push(line)
    this.bytes += size
    if (!this.inFlight) this.next()
  }

  /** Writes what is pending now, synchronously (at exit); never throws. The write in flight is left to finish. */
  flushSync(): void {
    if (this.pending.length === 0) return
    const lines = this.pending
    this.pending = []
    this.writeNow(lines)
  }

  /** Starts one asynchronous write of every pending line. */
  private next(): void {
    if (this.pending.length === 0) return
    const lines = this.pending.length
    const buffer = Buffer.from(this.pending.join(''))
    this.pending = []
    this.inFlight = true
    this.send(buffer, lines)
  }

  private send(buffer: Buffer, lines: number): void {
    writeAsync(this.fd, buffer, 0, buffer.length, null, (error, written) => {
      if (error) {
        if (isBusy(error)) {
          // A pipe whose reader is slow: try again shortly; meanwhile lines pend up to the bound.
          setTimeout(() => this.send(buffer, lines), RETRY_MS).unref()
          return
        }
        // Gone (EPIPE, EBADF) or full (ENOSPC, EIO on /dev/full-like files): these lines are lost.
        dropped += lines
        this.bytes -= buffer.length
      } else {
        this.bytes -= written
        if (written < buffer.length) {
          this.send(buffer.subarray(written), lines)
          return
        }
      }
      this.inFlight = false
      this.next()
    })
  }

  /** Writes `lines` synchronously, waiting at most SYNC_WAIT_MS for a busy pipe; what cannot be written is counted. */
  private writeNow(lines: readonly string[]): void {
    let buffer = Buffer.from(lines.join(''))
    const accepted = buffer.length
    let waited = 0
    while (buffer.length > 0) {
      try {
        buffer = buffer.subarray(writeSync(this.fd, buffer))
      } catch (error) {
        if (isBusy(error) && waited < SYNC_WAIT_MS) {
          sleep(RETRY_MS)
          waited += RETRY_MS
          continue
        }
        dropped += lines.length
        break
      }
    }
    if (!this.options.sync) this.bytes -= accepted
  }
}

let guarded = false

/**
 * Makes stdout and stderr errors harmless. On a pipe or socket a failed write (EPIPE from `mls start 2>&1 | head -1`)
 * emits 'error', which with no listener kills the process; on a file or device (/dev/full, a full disk) Node writes
 * synchronously and the failed write errors the stream (oclif's final flush of stdout did, exiting 1). What fails to print is
 * lost; the server keeps serving. Called once per process, before anything is logged.
 */
export function guardStandardStreams(): void {
  if (guarded) return
  guarded = true
  for (const stream of [process.stdout, process.stderr] as unknown as Writable[]) {
    stream.on('error', () => {})
    const write = stream._write
    // A write that fails completes as done, with no error: the stream stays usable, and no 'error' reaches listeners
    // that rethrow (oclif's on stdout rethrows all but EPIPE).
    stream._write = function (this: Writable, chunk, encoding, callback) {
      try {
        write.call(this, chunk, encoding, () => callback())
      } catch {
        callback()
      }
    }
  }
}
