/**
 * One queue per key: tasks with the same key run one after another, in the order they were given; tasks with
 * different keys run in parallel. A key is forgotten once its last task has settled, so the map holds only keys that
 * have work queued or running (a repository whose models come and go does not grow it forever).
 */
export class KeyedLock {
  private readonly queues = new Map<string, {tail: Promise<unknown>; waiting: number}>()

  /** Runs `task` once every earlier task of `key` has settled (resolved or rejected); answers what `task` answers. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let queue = this.queues.get(key)
    if (queue === undefined) this.queues.set(key, (queue = {tail: Promise.resolve(), waiting: 0}))
    queue.waiting++
    const result = queue.tail.then(() => task())
    // The next task waits for this one however it ends; a rejection is the caller's, not the queue's.
    queue.tail = result.catch(() => undefined)
    try {
      return await result
    } finally {
      // Last one out removes the key; a task given later starts a new queue, as nothing of this key still runs.
      if (--queue.waiting === 0) this.queues.delete(key)
    }
  }

  /** Keys with a task queued or running. */
  get size(): number {
    return this.queues.size
  }
}
