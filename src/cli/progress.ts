/** A progress bar on stderr, only on a terminal. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): {update(done: number, total: number): void; clear(): void} {
  const width = 30
  if (!stream.isTTY) return {update() {}, clear() {}}
  return {
    update(done, total) {
      const filled = total === 0 ? width : Math.round((done / total) * width)
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} rows`)
    },
    clear() {
      stream.write('\r\u001B[K')
    },
  }
}
