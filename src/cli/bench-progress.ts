/** `mls bench`'s progress line on stderr, only on a terminal: the level, its phase, requests so far. */
export function benchProgress(stream: NodeJS.WriteStream = process.stderr): {phase(concurrency: number, phase: string): void; update(concurrency: number, done: number, elapsedMs: number): void; clear(): void} {
  if (!stream.isTTY) return {phase() {}, update() {}, clear() {}}
  return {
    phase: (concurrency, phase) => stream.write(`\r\u001B[Kconcurrency ${concurrency}: ${phase}…`),
    update: (concurrency, done, elapsedMs) => stream.write(`\r\u001B[Kconcurrency ${concurrency}: ${done} requests in ${(elapsedMs / 1000).toFixed(1)} s`),
    clear: () => stream.write('\r\u001B[K'),
  }
}
