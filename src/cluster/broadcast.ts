/**
 * Repository load/unload carried to every worker process, one operation at a time (so every process sees them in the
 * same order and the index reads the same everywhere once an operation has answered).
 */
import type {Logger} from '../logger.js'
import type {PrimaryMessage, RepositoryOp, WireError} from './messages.js'

/** A worker process the primary can reach. */
export interface BroadcastTarget {
  readonly number: number
  readonly pid: number | undefined
  send(message: PrimaryMessage): void
}

interface Waiting {
  readonly outstanding: Set<number>
  readonly failures: Array<{number: number; pid: number | undefined; error: WireError}>
  readonly pids: Map<number, number | undefined>
  finish(): void
}

/** Runs operations on every target in turn and remembers the last one per model, for processes started later. */
export class RepositoryBroadcast {
  private next = 0
  private queue: Promise<unknown> = Promise.resolve()
  private readonly waiting = new Map<number, Waiting>()
  /** The last operation per model name that succeeded somewhere, replayed on a replacement process once it has loaded. */
  private readonly journal = new Map<string, RepositoryOp>()

  constructor(
    private readonly logger: Logger,
    private readonly targets: () => BroadcastTarget[],
  ) {}

  /** Does `op` on every process; resolves with undefined when all succeeded, else an error naming the processes that failed. */
  run(op: RepositoryOp, name: string): Promise<WireError | undefined> {
    let total = 0
    const result = this.queue.then(() => {
      const targets = this.targets()
      total = targets.length
      return this.everywhere(op, name, targets)
    })
    this.queue = result.catch(() => undefined)
    return result.then((failures) => {
      if (failures.length < total) this.journal.set(name, op)
      return summarize(op, name, failures, total)
    })
  }

  /** Repeats the journal on one (new) process, logging what fails. */
  replay(number: number): void {
    for (const [name, op] of this.journal) {
      const target = this.targets().filter((t) => t.number === number)
      this.queue = this.queue
        .then(() => this.everywhere(op, name, target))
        .then((failures) => {
          for (const f of failures) this.logger.warn(`process ${f.number}: replaying ${op} of ${name} failed: ${f.error.message}`)
        })
    }
  }

  /** A process's answer to operation `id`. */
  done(number: number, id: number, error?: WireError): void {
    const waiting = this.waiting.get(id)
    if (!waiting || !waiting.outstanding.delete(number)) return
    if (error) waiting.failures.push({number, pid: waiting.pids.get(number), error})
    if (waiting.outstanding.size === 0) waiting.finish()
  }

  /** A process exited: it answers nothing more; its outstanding operations count as failed. */
  gone(number: number): void {
    for (const [id, waiting] of this.waiting) {
      if (waiting.outstanding.has(number)) this.done(number, id, {code: 'INTERNAL', message: 'the process exited during the operation'})
    }
  }

  private everywhere(op: RepositoryOp, name: string, targets: BroadcastTarget[]): Promise<Waiting['failures']> {
    const id = this.next++
    return new Promise((resolve) => {
      const waiting: Waiting = {
        outstanding: new Set(targets.map((t) => t.number)),
        failures: [],
        pids: new Map(targets.map((t) => [t.number, t.pid])),
        finish: () => {
          this.waiting.delete(id)
          resolve(waiting.failures)
        },
      }
      if (targets.length === 0) return waiting.finish()
      this.waiting.set(id, waiting)
      for (const target of targets) target.send({type: 'mls:repo-do', id, op, name})
    })
  }
}

/** One error for the caller: the processes' own message when every process failed alike, else which failed and why. */
export function summarize(op: RepositoryOp, name: string, failures: ReadonlyArray<{number: number; pid: number | undefined; error: WireError}>, total: number): WireError | undefined {
  if (failures.length === 0) return undefined
  const first = failures[0].error
  if (failures.length === total && failures.every((f) => f.error.message === first.message && f.error.code === first.code)) return first
  const which = failures.map((f) => `process ${f.number} (pid ${f.pid}): ${f.error.message}`).join('; ')
  return {code: first.code, message: `${op} of model ${name} failed in ${failures.length} of ${total} processes: ${which}`}
}
