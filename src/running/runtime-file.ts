/**
 * A running server's runtime file: a small JSON document in the per-user runtime folder (runtime-dir.ts), named by
 * the server's pid, that says where it listens and what it serves. `mls start` writes it once it listens and removes
 * it when it stops; client commands read the folder to find the server (endpoints.ts) and `mls ps` lists it.
 * A file whose pid is no longer alive (a server killed with SIGKILL, a crash), or is alive but started at another time
 * than the server that wrote it (the pid reused since), is stale: readers ignore and remove it.
 */
import {chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {z} from 'zod'
import {processStartOf} from './process-start.js'

/** What a runtime file holds. URLs are ones a client on this machine can use (a wildcard bind becomes loopback). */
export interface RuntimeInfo {
  readonly pid: number
  /** REST base URL, e.g. http://127.0.0.1:9080 (https:// with TLS). */
  readonly rest_url: string
  /** gRPC target host:port (grpcs://host:port with TLS). */
  readonly grpc_address: string
  /** The metrics endpoint's URL, when metrics are served. */
  readonly metrics_url?: string
  /** Swagger UI. */
  readonly docs_url: string
  /** The repository root, absolute. */
  readonly repository_root: string
  /** ISO 8601. */
  readonly started_at: string
  readonly mls_version: string
  /** When the server's process started, as the kernel counts it (process-start.ts); absent where that is unknown. */
  readonly process_started?: string
}

/** A runtime file as read: its content and where it is. */
export interface RunningServer extends RuntimeInfo {
  readonly file: string
}

const runtimeInfoSchema = z.object({
  pid: z.number().int().positive(),
  rest_url: z.string().min(1),
  grpc_address: z.string().min(1),
  metrics_url: z.string().min(1).optional(),
  docs_url: z.string().min(1),
  repository_root: z.string().min(1),
  started_at: z.string(),
  mls_version: z.string(),
  process_started: z.string().optional(),
})

const FILE_NAME = /^mls-(\d+)\.json$/

/** The runtime file of `pid` in `dir`. */
export const runtimeFileOf = (dir: string, pid: number): string => path.join(dir, `mls-${pid}.json`)

/**
 * Writes `info` as the runtime file of info.pid: the folder made 0700 if it is new, the file 0600, written under a
 * temporary name and renamed so that a reader never sees half a file. Returns the file's path.
 */
export function writeRuntimeFile(dir: string, info: RuntimeInfo): string {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const file = runtimeFileOf(dir, info.pid)
  const partial = `${file}.${process.hrtime.bigint()}.tmp`
  writeFileSync(partial, JSON.stringify(info, null, 2) + '\n', {mode: 0o600})
  // The mode of writeFileSync is masked by the umask; the file must not be readable by others whatever the umask.
  chmodSync(partial, 0o600)
  renameSync(partial, file)
  return file
}

/** Whether a process with this pid exists (EPERM: it does, it is someone else's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The servers whose runtime files are in `dir` and whose pid is alive, oldest first. A stale file (its pid gone, or
 * reused by a process that started at another time) is removed; an unreadable or malformed one is skipped (and left:
 * it may be a newer mls's). A missing folder: none.
 */
export function readRunningServers(dir: string, alive: (pid: number) => boolean = isAlive, startOf: (pid: number) => string | undefined = processStartOf): RunningServer[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const servers: RunningServer[] = []
  for (const name of names) {
    const match = FILE_NAME.exec(name)
    if (match === null) continue
    const file = path.join(dir, name)
    if (!alive(Number(match[1]))) {
      rmSync(file, {force: true})
      continue
    }
    let parsed
    try {
      parsed = runtimeInfoSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    } catch {
      continue
    }
    if (!parsed.success || parsed.data.pid !== Number(match[1])) continue
    const started = parsed.data.process_started === undefined ? undefined : startOf(parsed.data.pid)
    if (started !== undefined && started !== parsed.data.process_started) {
      rmSync(file, {force: true})
      continue
    }
    servers.push({...parsed.data, file})
  }
  return servers.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.pid - b.pid)
}
