// The processes the bench starts (servers, load generators): tracked so every exit path stops them.
import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {root} from './util.js'

const children = new Set()
const finalizers = []
let cleaning

/** Stops every child still running, then runs the registered finalizers (e.g. removing the temp dir). Idempotent. */
export function cleanup() {
  cleaning ??= Promise.all([...children].map(stop)).finally(() => finalizers.forEach((fn) => fn()))
  return cleaning
}
export const cleaningUp = () => cleaning !== undefined
export const onCleanup = (fn) => finalizers.push(fn)

/** Stops one server started by startServer (SIGTERM, then SIGKILL after 5 s); resolves once it has exited. */
export function stopServer(server) {
  server.stopping = true
  return stop(server.child).then(() => children.delete(server.child))
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(hard)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers`)
    cleanup().then(() => process.exit(130))
  })
}

const ENDPOINT_PATTERNS = {
  rest: /listening on (http:\/\/\S+)/, // "REST server listening on http://…", "baseline listening on http://…"
  grpc: /gRPC (?:server )?listening on (\S+)/, // "gRPC server listening on 127.0.0.1:PORT"
  metrics: /metrics listening on (http:\/\/\S+)/, // "metrics listening on http://…/metrics" (the full URL)
}

/**
 * Starts `node ...args` and resolves once its log has named every endpoint in `endpoints` ('rest' -> server.url,
 * 'grpc' -> server.grpc as host:port) and, when `readyLine` is given, once a log line matches it. The endpoints are
 * read from the log, so servers bind port 0 and the bench uses the ports they report: under `--processes N` the
 * primary picks free ports before forking, and logs the address its first process listens on. 'metrics' -> server.metrics
 * (the metrics endpoint's URL). `onLine`, when given, sees every log line (e.g. to count load events).
 */
export function startServer({name, args, env = {}, endpoints, readyLine, onLine}) {
  const child = spawn(process.execPath, args, {cwd: root, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  children.add(child)
  const tail = [] // last log lines, shown when something goes wrong; reading also keeps the pipes drained
  const server = {name, child, tail, url: undefined, grpc: undefined}
  const found = {}
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not report ${[...endpoints, ...(readyLine ? [String(readyLine)] : [])].join(' + ')} within 60 s\n${tail.join('\n')}`)), 60_000) // a busy 2-core machine can take 20 s and more to start two servers
    // A chunk can end mid-line: the rest of the line waits for the next chunk of the same stream.
    const partial = {stdout: '', stderr: ''}
    const onData = (stream) => (chunk) => {
      const lines = (partial[stream] + String(chunk)).split('\n')
      partial[stream] = lines.pop()
      for (const line of lines.filter(Boolean)) {
        tail.push(line)
        if (tail.length > 30) tail.shift()
        onLine?.(line)
        for (const endpoint of endpoints) found[endpoint] ??= ENDPOINT_PATTERNS[endpoint].exec(line)?.[1]
        if (readyLine?.test(line)) found.readyLine = true
      }
      if (endpoints.every((e) => found[e]) && (!readyLine || found.readyLine) && !server.ready) {
        Object.assign(server, {url: found.rest, grpc: found.grpc, metrics: found.metrics, ready: true})
        clearTimeout(timer)
        resolve(server)
      }
    }
    child.stdout.on('data', onData('stdout'))
    child.stderr.on('data', onData('stderr'))
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      server.exited = String(signal ?? code)
      if (server.stopping) return
      if (!cleaning) console.error(`bench: ${name} exited (${server.exited}); its last log lines:\n${tail.join('\n')}`)
      reject(new Error(`${name} exited early (${server.exited})\n${tail.join('\n')}`))
    })
  })
}

/** Runs a load generator to completion; resolves with its combined output, rejects on a non-zero exit. */
export function runTool(command, args, {env = {}, timeoutMs}) {
  const child = spawn(command, args, {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  children.add(child)
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      if (code !== 0) reject(new Error(`${command} failed (${signal ?? code}):\n${output}`))
      else resolve(output)
    })
  })
}

/** PIDs of a process's children (Linux /proc), e.g. the processes of `mls start --processes N`. */
export function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks at the usual 100 Hz). */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime: fields 14 and 15 of stat
  } catch {
    return NaN
  }
}
