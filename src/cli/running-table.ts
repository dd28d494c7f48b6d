/** `mls ps`: the running servers as a table, and as JSON. */
import type {RunningServer} from '../running/runtime-file.js'
import {formatAgo} from './memory-cells.js'
import {table} from './style.js'

/** The table; `now` (epoch ms) is when STARTED is counted from. */
export function runningTable(servers: readonly RunningServer[], now = Date.now()): string {
  if (servers.length === 0) return 'no mls server is running (for this user)'
  return table(
    ['PID', 'REST', 'GRPC', 'REPOSITORY', 'STARTED', 'VERSION'],
    servers.map((s) => [String(s.pid), s.rest_url, s.grpc_address, s.repository_root, formatAgo(Date.parse(s.started_at), now), s.mls_version]),
  )
}

/** What --json prints for one server: the runtime file's fields and the file itself. */
export type RunningServerJson = RunningServer
