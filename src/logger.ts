/**
 * A small levelled logger on stderr: one line per event, human-readable by default, one JSON object per line with
 * `use_structured_logging`. Events carry fields (model, version, duration_ms, reason...) that JSON keeps as keys and
 * the human form appends as key=value. `debug` lines (access logs among them) only with the `debug` setting.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>

export interface Logger {
  readonly debugEnabled: boolean
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

const human = (value: string | number | boolean) => (typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : String(value))

export function createLogger(options: {debug: boolean; structured?: boolean; write?: (line: string) => void}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'))
  const log = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (level === 'debug' && !options.debug) return
    const time = new Date().toISOString()
    const defined = Object.entries(fields).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    if (options.structured) {
      write(JSON.stringify({time, level, msg: message, ...Object.fromEntries(defined)}))
      return
    }
    const tail = defined.map(([key, value]) => `${key}=${human(value)}`).join(' ')
    write(`${time} [mls] ${level.toUpperCase().padEnd(5)} ${message}${tail ? `  ${tail}` : ''}`)
  }
  return {
    debugEnabled: options.debug,
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  }
}

export const silentLogger: Logger = {debugEnabled: false, debug() {}, info() {}, warn() {}, error() {}}
