/**
 * Ink renders nothing but the last frame when it believes it runs in CI (the CI env var), which makes a prompt or a
 * dashboard invisible in a real terminal opened by a CI job (a tmux test, say). When stdin and stdout really are a
 * terminal, mls tells Ink so before Ink is first imported (Ink reads the variable once, at import).
 */
export function preferInteractiveRendering(stdout: NodeJS.WriteStream = process.stdout, stdin: NodeJS.ReadStream = process.stdin): void {
  if (!stdout.isTTY || !stdin.isTTY) return
  for (const key of ['CI', 'CONTINUOUS_INTEGRATION']) {
    if (process.env[key] !== undefined) process.env[key] = 'false'
  }
}
