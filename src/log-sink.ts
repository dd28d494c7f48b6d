/**
 * Where the server's log lines go when nothing else takes them: a file descriptor (stderr), written so that logging
 * never stops or kills the server. A line that cannot be written (stderr on a full disk or on /dev/full, a pipe whose
 * reader is gone, a reader that stopped reading) is dropped and counted, never thrown: `logLinesDropped()` is the
 * count behind the metric `mls_log_lines_dropped_total`.
 *
 * On the main thread lines coalesce and are written off the current turn of the event loop, in one of two ways:
 * - a non-blocking descriptor (stderr on a pipe or a socket: `nonBlockingStderr()`): written on the main
 *   thread; a full pipe answers EAGAIN at once and the rest is retried shortly. Every byte not yet written stays here,
 *   so the exit flush writes all of it, even when the process dies of an uncaught error in the middle of a burst (a
 *   thread-pool write on a pipe, which Node makes non-blocking too, lost the unwritten rest of the write in flight).
 * - any other descriptor (a file, a terminal, a blocking socket): written on the libuv thread pool, one write in flight at a
 *   time, so a destination that blocks holds that write, not the event loop. The exit flush writes what is pending;
 *   a write in flight that the end of the process interrupts may lose its tail (files are not interrupted).
 * Bytes not yet written are bounded (MAX_PENDING_LOG_BYTES); a line past the bound is dropped. The exit flush waits a
 * bounded time for a busy pipe. Worker threads write synchronously (the exit flush is the main thread's only).
 */
import {constants, fstatSync, openSync, readFileSync, write as writeAsync, writeSync} from 'node:fs'
import type {Writable} from 'node:stream'

/** Bytes of log lines accepted but not yet written; past it new lines are dropped (and counted). */
export const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024
/** A busy destination (EAGAIN) is retried after this long (thread-pool writes) or at most this long (non-blocking). */
const RETRY_MS = 10
/** How long, in all, the synchronous writes (exit flush, worker threads) wait for a busy pipe. */
const SYNC_WAIT_MS = 1000

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

/** How many lines `buffer` holds, the last one partly (lines end in a newline): those a failed write loses. */
function linesIn(buffer: Buffer): number {
  let lines = 0
  for (let at = buffer.indexOf(10); at !== -1; at = buffer.indexOf(10, at + 1)) lines++
  return buffer.length > 0 && buffer[buffer.length - 1] !== 10 ? lines + 1 : lines
}

const pause = new Int32Array(new SharedArrayBuffer(4))
/** Blocks this thread for `ms` (a synchronous write waiting for a busy pipe). */
const sleep = (ms: number) => void Atomics.wait(pause, 0, 0, ms)

/**
 * A non-blocking descriptor of stderr, when stderr is a pipe or a socket (Linux only; undefined elsewhere, and for a
 * file or a terminal: fd 2 is then written on the thread pool).
 * - A pipe (a shell's `|`, Docker, containerd): /proc/self/fd/2 opened anew with O_NONBLOCK; the flag belongs to the new
 *   open file, so fd 2, shared with the parent and Node's own writes, is left as it is.
 * - A socket (Node's child_process `stdio: 'pipe'` is a socket pair; systemd's journal): fd 2 itself, when it is already
 *   non-blocking (libuv makes a socket stderr non-blocking as soon as `process.stderr` is opened). A socket cannot be
 *   reopened through /proc, and a blocking one is not made non-blocking here: its open file may be shared with other
 *   processes.
 */
export function nonBlockingStderr(): number | undefined {
  if (process.platform !== 'linux') return undefined
  try {
    const stat = fstatSync(2)
    if (stat.isFIFO()) return openSync('/proc/self/fd/2', constants.O_WRONLY | constants.O_NONBLOCK)
    if (stat.isSocket() && isNonBlocking(2)) return 2
    return undefined
  } catch {
    return undefined
  }
}

/** Whether `fd` has O_NONBLOCK (Linux: the octal `flags` line of /proc/self/fdinfo/<fd>). */
function isNonBlocking(fd: number): boolean {
  const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))
  return flags !== null && (parseInt(flags[1]!, 8) & constants.O_NONBLOCK) !== 0
}

export interface LogSinkOptions {
  /** Write synchronously (worker threads). */
  readonly sync?: boolean
  /** The descriptor never blocks (O_NONBLOCK): write on this thread, retrying EAGAIN later. */
  readonly nonBlocking?: boolean
  /** The bound on bytes not yet written (MAX_PENDING_LOG_BYTES). */
  readonly maxPending?: number
}

export class LogSink {
  /** Lines not yet handed to a write. */
  private pending: string[] = []
  /** Bytes accepted and not yet written: the pending lines and what is left of the write in flight. */
  private bytes = 0
  private inFlight = false
  /** Non-blocking: the unwritten rest of the last write. */
  private rest: Buffer | undefined
  /** Non-blocking: cancels the next write, when one is scheduled; and how long the last EAGAIN retry waited. */
  private scheduled: (() => void) | undefined
  private backoff = 0
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
      this.writeNow(Buffer.from(line))
      return
    }
    const size = Buffer.byteLength(line)
    if (this.bytes + size > this.maxPending) {
      dropped++
      return
    }
    this.pending.push(line)
    this.bytes += size
    if (this.options.nonBlocking) {
      if (this.scheduled === undefined) {
        const immediate = setImmediate(() => this.drain()).unref()
        this.scheduled = () => clearImmediate(immediate)
      }
    } else if (!this.inFlight) this.next()
  }

  /**
   * Writes what is not yet written now, synchronously (at exit), waiting at most SYNC_WAIT_MS for a busy pipe; never
   * throws. A thread-pool write in flight is left to finish.
   */
  flushSync(): void {
    this.scheduled?.()
    this.scheduled = undefined
    const buffers = this.rest === undefined ? [] : [this.rest]
    if (this.pending.length > 0) buffers.push(Buffer.from(this.pending.join('')))
    this.rest = undefined
    this.pending = []
    if (buffers.length > 0) this.writeNow(Buffer.concat(buffers))
  }

  /** Non-blocking: writes what it can now; a full pipe is retried after a short, growing wait. */
  private drain(): void {
    this.scheduled = undefined
    for (;;) {
      if (this.rest === undefined) {
        if (this.pending.length === 0) return
        this.rest = Buffer.from(this.pending.join(''))
        this.pending = []
      }
      let written: number
      try {
        written = writeSync(this.fd, this.rest)
      } catch (error) {
        if (isBusy(error)) {
          this.backoff = Math.min(RETRY_MS, Math.max(1, this.backoff * 2))
          const timer = setTimeout(() => this.drain(), this.backoff).unref()
          this.scheduled = () => clearTimeout(timer)
          return
        }
        // Gone (EPIPE, EBADF) or full (ENOSPC, EIO): these lines are lost.
        dropped += linesIn(this.rest)
        written = this.rest.length
      }
      this.backoff = 0
      this.bytes -= written
      this.rest = written < this.rest.length ? this.rest.subarray(written) : undefined
    }
  }

  /** Starts one asynchronous write of every pending line. */
  private next(): void {
    if (this.pending.length === 0) return
    const buffer = Buffer.from(this.pending.join(''))
    this.pending = []
    this.inFlight = true
    this.send(buffer)
  }

  private send(buffer: Buffer): void {
    writeAsync(this.fd, buffer, 0, buffer.length, null, (error, written) => {
      if (error) {
        if (isBusy(error)) {
          // A pipe whose reader is slow: try again shortly; meanwhile lines pend up to the bound.
          setTimeout(() => this.send(buffer), RETRY_MS).unref()
          return
        }
        // Gone (EPIPE, EBADF) or full (ENOSPC, EIO on /dev/full-like files): these lines are lost.
        dropped += linesIn(buffer)
        this.bytes -= buffer.length
      } else {
        this.bytes -= written
        if (written < buffer.length) {
          this.send(buffer.subarray(written))
          return
        }
      }
      this.inFlight = false
      this.next()
    })
  }

  /** Writes `buffer` synchronously, waiting at most SYNC_WAIT_MS for a busy pipe; the lines not written are counted. */
  private writeNow(buffer: Buffer): void {
    const accepted = buffer.length
    let waited = 0
    while (buffer.length > 0) {
      try {
        buffer = buffer.subarray(writeSync(this.fd, buffer))
      } catch (error) {
        if (isBusy(error) && waited < SYNC_WAIT_MS) {
          sleep(1)
          waited += 1
          continue
        }
        dropped += linesIn(buffer)
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
