/** `mls bench`'s progress line on stderr, only on a terminal (and never with --json): the level, its phase, requests so far. */
export interface BenchProgress {
  phase(concurrency: number, phase: string): void
  update(concurrency: number, done: number, elapsedMs: number): void
  clear(): void
}

export function benchProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): BenchProgress {
  if (!enabled || !stream.isTTY) return {phase() {}, update() {}, clear() {}}
  return {
    phase: (concurrency, phase) => stream.write(`\r\u001B[Kconcurrency ${concurrency}: ${phase}…`),
    update: (concurrency, done, elapsedMs) => stream.write(`\r\u001B[Kconcurrency ${concurrency}: ${done} requests in ${(elapsedMs / 1000).toFixed(1)} s`),
    clear: () => stream.write('\r\u001B[K'),
  }
}
