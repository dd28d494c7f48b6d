/** A small levelled logger on stderr; `debug` lines only when the `debug` setting is on. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export function createLogger(options: {debug: boolean; structured?: boolean; write?: (line: string) => void}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'))
  const log = (level: LogLevel, message: string) => {
    if (level === 'debug' && !options.debug) return
    const time = new Date().toISOString()
    write(options.structured ? JSON.stringify({time, level, message}) : `${time} [mls] ${level.toUpperCase().padEnd(5)} ${message}`)
  }
  return {
    debug: (m) => log('debug', m),
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
  }
}

export const silentLogger: Logger = {debug() {}, info() {}, warn() {}, error() {}}
