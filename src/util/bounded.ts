/** Runs tasks with at most `limit` in flight; resolves when all are done (failures are the tasks' own business). */
export async function runBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await task(items[next++])
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, worker))
}
