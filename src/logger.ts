/**
 * The levelled logger on stderr, on pino: one line per event, human-readable by default, one JSON object per line with
 * `use_structured_logging`. Events carry fields (model, version, duration_ms, reason...) that JSON keeps as keys and
 * the human form appends as key=value. `debug` lines (access logs among them) only with the `debug` setting.
 *
 * Lines go to stderr through a LogSink (log-sink.ts: writes coalesce under load and never block the event loop; what
 * is not yet written is written synchronously on exit). Logging never stops the server: a line stderr cannot take (a full disk, a
 * closed pipe) is dropped and counted, and stdout / stderr stream errors are ignored. Secrets never reach a line:
 * fields named like one are censored, and bearer tokens and private-key blocks inside messages are cut out.
 */
import {isMainThread} from 'node:worker_threads'
import {pino, type DestinationStream, type Logger as Pino} from 'pino'
import {guardStandardStreams, LogSink, nonBlockingStderr} from './log-sink.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>

export interface Logger {
  readonly debugEnabled: boolean
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger whose every line also carries `fields` (e.g. a model's name and version), set once here. */
  child(fields: LogFields): Logger
}

export interface LoggerOptions {
  readonly debug: boolean
  /** One JSON object per line (use_structured_logging) instead of the human form. */
  readonly structured?: boolean
  /** Where lines go (each without its newline), e.g. the dashboard's log pane; stderr when absent. */
  readonly write?: (line: string) => void
}

/** Fields whose value is never written (pino's redaction of top-level keys: a per-key stringifier, no copy). */
export const SECRET_FIELDS = ['authorization', 'token', 'repository_auth_token', 'password', 'key', 'private_key']
const CENSORED = '[redacted]'
// A bearer token (an Authorization header's value) or a PEM private key (a key file's contents) quoted in a message.
// Case-sensitive, as clients write the scheme: our own prose ("needs the bearer token") is no secret.
const SECRET_TEXT = /Bearer\s+[^\s"',;]+|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g
const HAS_SECRET_TEXT = /Bearer\s|PRIVATE KEY-----/
const scrub = (message: string) => (HAS_SECRET_TEXT.test(message) ? message.replace(SECRET_TEXT, (found) => (found[0] === '-' ? CENSORED : `Bearer ${CENSORED}`)) : message)

export function createLogger(options: LoggerOptions): Logger {
  const base = pino(
    {
      level: options.debug ? 'debug' : 'info',
      base: null, // no pid or hostname on every line
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {level: (label) => ({level: label})},
      redact: {paths: SECRET_FIELDS, censor: CENSORED},
    },
    destination(options),
  )
  const logger = wrap(base, options.debug)
  if (options.write === undefined && isMainThread) lastOnStderr = logger
  return logger
}

function wrap(target: Pino, debugEnabled: boolean): Logger {
  // pino's (fields, message) call; a message alone skips the fields' loop.
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => (fields === undefined ? target[level](scrub(message)) : target[level](fields, scrub(message)))
  return {
    debugEnabled,
    debug: debugEnabled ? at('debug') : () => {},
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(target.child(fields), debugEnabled),
  }
}

/** The stream pino writes JSON lines to (each ending in a newline): as they are (structured) or in the human form. */
function destination({structured, write}: LoggerOptions): DestinationStream {
  if (write !== undefined) return {write: structured ? (line) => write(line.slice(0, -1)) : (line) => write(toHuman(line))}
  const stream = stderr()
  return structured ? stream : {write: (line) => stream.write(toHuman(line) + '\n')}
}

let shared: DestinationStream | undefined
/** The last logger made on stderr on the main thread: the one that says the process dies of an uncaught error. */
let lastOnStderr: Logger | undefined

/**
 * One destination on fd 2 for the whole thread, flushed synchronously on the main thread's exit. Worker threads write
 * synchronously (an exit flush is the main thread's only).
 */
function stderr(): DestinationStream {
  if (shared) return shared
  guardStandardStreams()
  const nonBlocking = isMainThread ? nonBlockingStderr() : undefined
  const sink = new LogSink(nonBlocking ?? 2, {sync: !isMainThread, nonBlocking: nonBlocking !== undefined})
  if (isMainThread) {
    // An uncaught error ends the process: say so in the log, then write every line not yet written, before Node prints
    // the error itself. Node's print is one write to stderr, which Node has made non-blocking on a pipe or a socket:
    // lost when the reader is behind at that moment. This line waits its turn with the others and is not.
    process.on('uncaughtExceptionMonitor', (error, origin) => {
      if (process.listenerCount('uncaughtException') > 0) return // handled: the process goes on
      const what = origin === 'unhandledRejection' ? 'an unhandled rejection' : 'an uncaught exception'
      lastOnStderr?.error(`the process ends on ${what}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, {event: 'uncaught_exception'})
      sink.flushSync()
    })
    process.on('exit', () => sink.flushSync())
  }
  shared = sink
  return shared
}

const LABELS: Readonly<Record<string, string>> = {debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR'}

const human = (value: unknown) => (typeof value === 'string' ? (/[\s"=]/.test(value) ? JSON.stringify(value) : value) : String(value))

/** `2026-...Z [mls] INFO  message  key=value ...` from one of pino's lines (level, time, fields in order, msg). */
function toHuman(json: string): string {
  const event = JSON.parse(json) as Record<string, unknown>
  let tail = ''
  for (const key in event) {
    if (key === 'level' || key === 'time' || key === 'msg') continue
    tail += `${tail === '' ? '  ' : ' '}${key}=${human(event[key])}`
  }
  return `${event.time as string} [mls] ${LABELS[event.level as string]} ${event.msg as string}${tail}`
}

export const silentLogger: Logger = {debugEnabled: false, debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger}
