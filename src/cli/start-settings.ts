/**
 * What `mls start` decides before it serves: the settings (flags over env over settings.json), what it refuses, and
 * whether the dashboard can be shown. Pure of side effects but reading settings.json; the serving is run-start.ts.
 */
import {SettingsError} from '../errors.js'
import {loadServerSettings, type LoadedServerSettings} from '../settings/load-server-settings.js'
import {usageError} from './cli-error.js'

/** The flags of `mls start` that are server settings, and the settings field each one sets. */
const SETTINGS_FLAGS = {
  host: 'host',
  'http-port': 'http_port',
  'grpc-port': 'grpc_port',
  'metrics-port': 'metrics_port',
  'max-request-size': 'max_request_size',
  'strict-readiness': 'strict_readiness',
  'load-models-at-startup': 'load_models_at_startup',
  debug: 'debug',
  'server-name': 'server_name',
  processes: 'processes',
  'ssl-certfile': 'ssl_certfile',
  'ssl-keyfile': 'ssl_keyfile',
  'max-queue-size': 'max_queue_size',
  'max-response-size': 'max_response_size',
  'max-connections': 'max_connections',
  'infer-timeout': 'infer_timeout',
  'shutdown-grace-period': 'shutdown_grace_period',
  'memory-budget': 'memory_budget',
  'grpc-stream-format': 'grpc_stream_format',
  'gzip-enabled': 'gzip_enabled',
  'gzip-minimum-size': 'gzip_minimum_size',
  'cache-enabled': 'cache_enabled',
  'cache-size': 'cache_size',
  'cache-max-bytes': 'cache_max_bytes',
  'tracing-server': 'tracing_server',
} as const

/** A settings flag as oclif parsed it (undefined: not given). */
export type SettingsFlags = {readonly [flag in keyof typeof SETTINGS_FLAGS]?: string | number | boolean}

/** The settings layer of the flags, keyed by settings field; other flags (--tui, --watch) are left out. */
export function settingsOfFlags(flags: SettingsFlags): Record<string, unknown> {
  return Object.fromEntries(Object.entries(SETTINGS_FLAGS).map(([flag, field]) => [field, flags[flag as keyof SettingsFlags]]))
}

/**
 * The settings of `mls start DIR`: throws a CliError (exit 2: the configuration is unusable) for invalid settings,
 * and for --watch with more than one process.
 */
export function startSettings(options: {root?: string; flags: SettingsFlags; watch: boolean; env?: NodeJS.ProcessEnv}): LoadedServerSettings {
  let loaded
  try {
    loaded = loadServerSettings({root: options.root, flags: settingsOfFlags(options.flags), env: options.env})
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error
    throw usageError(`invalid settings (SETTINGS_INVALID)\n${error.message}`)
  }
  const {processes} = loaded.settings
  if (options.watch && processes > 1) {
    // Each process would watch and reload on its own, at different moments: refused rather than half-supported.
    throw usageError(
      `--watch works with one process, and processes is ${processes}; drop --processes (or MLS_PROCESSES / processes in settings.json) while developing`,
    )
  }
  return loaded
}

/** Whether `mls start` shows the dashboard, and the warning to log when --tui asked for it in vain. */
export function dashboardChoice(tui: boolean, processes: number, terminal: boolean): {readonly show: boolean; readonly warning?: string} {
  if (!tui) return {show: false}
  if (processes > 1) return {show: false, warning: '--tui is not available with more than one process: serving without the dashboard'}
  if (!terminal) return {show: false, warning: '--tui needs a terminal on stdin and stdout: serving without the dashboard'}
  return {show: true}
}
