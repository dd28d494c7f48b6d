/**
 * A container's command run as a process here, with no Docker: the image's ENTRYPOINT (node /app/bin/run.js, here the
 * built CLI) with the manifest's args and env, polled on its REST port until ready.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {createServer} from 'node:net'
import {request} from './http.js'
import {BIN, REPO_ROOT} from './mls-process.js'

/** A port free on 127.0.0.1 a moment ago (for a process that must be told its port, not pick it). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface ContainerProcess {
  readonly url: string
  readonly child: ChildProcess
  logs(): string
  /** SIGTERM, resolving with the exit code. */
  stop(): Promise<number | null>
}

export interface ContainerOptions {
  /** The script node runs (default the built CLI, bin/run.js). */
  readonly entry?: string
  readonly cwd?: string
  /** The health endpoint that must answer 200: `ready` (default), or `live` where models are loaded later. */
  readonly waitFor?: 'ready' | 'live'
}

/** Runs `node bin/run.js ...args` with env on top of this process's, and resolves once /v2/health/<waitFor> answers 200. */
export async function startContainer(args: readonly string[], env: Readonly<Record<string, string>>, options: ContainerOptions = {}): Promise<ContainerProcess> {
  const child = spawn(process.execPath, [options.entry ?? BIN, ...args], {cwd: options.cwd ?? REPO_ROOT, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  const url = `http://127.0.0.1:${env.MLS_HTTP_PORT}`
  const handle: ContainerProcess = {
    url,
    child,
    logs: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      return exited
    },
  }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline && child.exitCode === null) {
    const health = await request(`${url}/v2/health/${options.waitFor ?? 'ready'}`).catch(() => undefined)
    if (health?.status === 200) return handle
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  child.kill('SIGKILL')
  await exited
  throw new Error(`the container's command did not become ${options.waitFor ?? 'ready'}:\n${output}`)
}
