/** Starts the built CLI (`bin/run.js start`) on an ephemeral loopback port and stops it. */
import {expect} from 'vitest'
import {spawn, type ChildProcess} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))
export const BIN = fileURLToPath(new URL('../../../bin/run.js', import.meta.url))

export interface MlsProcess {
  readonly url: string
  /** host:port of the gRPC server */
  readonly grpcAddress: string
  /** URL of the metrics endpoint (undefined when metrics are off) */
  readonly metricsUrl?: string
  readonly child: ChildProcess
  /** Everything the server wrote to stdout and stderr so far. */
  logs(): string
  /**
   * Resolves once the output contains `expected` (a pattern or a text): log lines are written asynchronously, so a
   * line may follow the answer that caused it by a few milliseconds. Fails, quoting the output, after 5 s.
   */
  expectLog(expected: RegExp | string): Promise<void>
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export interface StartOptions {
  readonly args?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /** Wait for start-up loading to finish (default true). */
  readonly waitLoaded?: boolean
}

/** Runs `mls start DIR --host 127.0.0.1` with every port 0 (any free port) and resolves once it listens (and, by default, has loaded). */
export function startMls(dir: string, options: StartOptions = {}): Promise<MlsProcess> {
  const child = spawn(process.execPath, [BIN, 'start', dir, '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    env: {...process.env, ...options.env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  // 'close', not 'exit': the exit code once every byte the process wrote to its pipes has been read (logs are written asynchronously).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  const handle = (url: string, grpcAddress: string): MlsProcess => ({
    url,
    grpcAddress,
    metricsUrl: /metrics listening on (http:\/\/[\w.:[\]/-]+)/.exec(output)?.[1],
    child,
    logs: () => output,
    async expectLog(expected) {
      const found = () => (typeof expected === 'string' ? output.includes(expected) : expected.test(output))
      for (let i = 0; i < 250 && !found(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
      if (typeof expected === 'string') expect(output).toContain(expected)
      else expect(output).toMatch(expected)
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  })
  return new Promise((resolve, reject) => {
    let url: string | undefined
    let grpcAddress: string | undefined
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`mls did not start in time:\n${output}`))
    }, 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      url ??= /REST server listening on (https?:\/\/[\w.:[\]-]+)/.exec(output)?.[1]
      grpcAddress ??= /gRPC server listening on ([\w.:[\]-]+)/.exec(output)?.[1]
      const loaded = options.waitLoaded === false || output.includes('start-up loading finished')
      if (url !== undefined && grpcAddress !== undefined && loaded) {
        clearTimeout(timer)
        resolve(handle(url, grpcAddress))
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`mls exited with code ${code} before it was up:\n${output}`))
    })
  })
}

/** Runs the CLI to completion and returns its exit code and output (stdout and stderr apart, and together). */
export function runMls(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  options: {cwd?: string; input?: string} = {},
): Promise<{code: number | null; output: string; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: {...process.env, NO_COLOR: '1', ...env},
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    let output = ''
    let stdout = ''
    let stderr = ''
    // stdout and stderr are pipes (stdio above); TypeScript cannot tell, as stdin is a pipe or not.
    child.stdout!.on('data', (c: Buffer) => ((output += c.toString()), (stdout += c.toString())))
    child.stderr!.on('data', (c: Buffer) => ((output += c.toString()), (stderr += c.toString())))
    if (options.input !== undefined) child.stdin!.end(options.input)
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({code, output, stdout, stderr})
    })
  })
}
