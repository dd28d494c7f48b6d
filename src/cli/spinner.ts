/** A spinner on stderr while a promise runs (only on a terminal: logs and pipes get nothing). */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

export async function withSpinner<T>(text: string, task: Promise<T>, stream: NodeJS.WriteStream = process.stderr): Promise<T> {
  if (!stream.isTTY) return task
  let frame = 0
  const timer = setInterval(() => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${text}`), 80)
  try {
    return await task
  } finally {
    clearInterval(timer)
    stream.write('\r\u001B[K')
  }
}
