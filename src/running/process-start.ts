/**
 * When a process started, as the kernel counts it (Linux: field 22 of /proc/<pid>/stat, clock ticks since boot). A
 * runtime file keeps its server's; a reader that finds the pid alive but started at another time knows the pid was
 * reused by another process after the server died without removing its file. Undefined where /proc is not there.
 */
import {readFileSync} from 'node:fs'

export function processStartOf(pid: number): string | undefined {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const start = fields[19] // field 22; fields[0] is field 3 (state)
  return start !== undefined && /^\d+$/.test(start) ? start : undefined
}
