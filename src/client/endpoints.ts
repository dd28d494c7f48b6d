/**
 * Where the server is, in this order: flags (--url, --grpc-url, --metrics-url); env MLS_URL / MLS_GRPC_URL /
 * MLS_METRICS_URL; settings.json in --repo DIR or the current folder (its ports on 127.0.0.1; https:// and grpcs://
 * when it sets ssl_certfile); a running `mls start` found through its runtime file (src/running/); else 127.0.0.1
 * with MLServer's default ports 8080 / 8081 / 8082.
 *
 * Running servers are looked at only when none of the addresses the command talks to was given (flag or env):
 * - with a settings.json in the folder, a server running on that very folder wins over the file's ports (it is the
 *   same server, normally; its runtime file also knows ports that flags or env changed, or ports chosen as 0);
 * - without one, the only running server; of several, the one whose repository root holds the folder (the deepest);
 *   else a usage error listing them. With --repo DIR, only servers whose root holds DIR count.
 * Each address carries where it came from, which the unreachable-server message repeats.
 */
import {existsSync, realpathSync} from 'node:fs'
import path from 'node:path'
import {usageError} from '../cli/cli-error.js'
import {SettingsError} from '../errors.js'
import {chooseServer} from '../running/choose-server.js'
import {runtimeDir} from '../running/runtime-dir.js'
import {readRunningServers, type RunningServer} from '../running/runtime-file.js'
import {loadServerSettings} from '../settings/load-server-settings.js'
import {SERVER_DEFAULTS, tlsEnabled} from '../settings/server-settings.js'

/** The three addresses of a server. */
export type Endpoint = 'rest' | 'grpc' | 'metrics'

export interface Endpoints {
  /** REST base URL, e.g. http://127.0.0.1:8080 */
  readonly rest: string
  /** gRPC target, e.g. 127.0.0.1:8081; `grpcs://host:port` for TLS */
  readonly grpc: string
  /** Metrics URL, e.g. http://127.0.0.1:8082/metrics */
  readonly metrics: string
  /** Where each address came from, e.g. "--url", "env MLS_URL", "the runtime file of pid 4242 (...)". */
  readonly origin: Readonly<Record<Endpoint, string>>
  /** The repository root of the running server the addresses came from (its settings.json may hold the token). */
  readonly repositoryRoot?: string
}

export interface EndpointSources {
  readonly url?: string
  readonly grpcUrl?: string
  readonly metricsUrl?: string
  readonly repo?: string
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
  /** The addresses the command talks to (default: all three): running servers are looked at only if none was given. */
  readonly needs?: readonly Endpoint[]
  /** Where runtime files are (default: runtimeDir(env)). */
  readonly runtimeDir?: string
}

const trimSlash = (url: string) => url.replace(/\/+$/, '')

/** An address and where it came from. */
interface Found {
  readonly value: string
  readonly origin: string
}

const FLAGS: Record<Endpoint, {flag: string; env: string}> = {
  rest: {flag: '--url', env: 'MLS_URL'},
  grpc: {flag: '--grpc-url', env: 'MLS_GRPC_URL'},
  metrics: {flag: '--metrics-url', env: 'MLS_METRICS_URL'},
}

/** `file` as the user would write it from `cwd`: relative below it (./settings.json), else absolute. */
function shown(file: string, cwd: string): string {
  const relative = path.relative(cwd, file)
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.includes(path.sep) ? relative : `./${relative}`
}

/** The addresses settings.json in `folder` gives (undefined: there is none). */
function addressesOfSettings(folder: string, cwd: string): Record<Endpoint, Found> | undefined {
  const file = path.join(folder, 'settings.json')
  if (!existsSync(file)) return undefined
  let settings
  try {
    settings = loadServerSettings({root: folder, env: {}, cwd, checkFiles: false}).settings
  } catch (error) {
    if (error instanceof SettingsError) throw usageError(`cannot read the server's ports: ${error.message}`)
    throw error
  }
  const tls = tlsEnabled(settings)
  const origin = `the ports of ${shown(file, cwd)}`
  return {
    rest: {value: `${tls ? 'https' : 'http'}://127.0.0.1:${settings.http_port}`, origin},
    grpc: {value: `${tls ? 'grpcs://' : ''}127.0.0.1:${settings.grpc_port}`, origin},
    metrics: {value: `http://127.0.0.1:${settings.metrics_port}${settings.metrics_endpoint ?? '/metrics'}`, origin},
  }
}

/** The addresses a running server's runtime file gives (metrics only when it serves them). */
function addressesOfServer(server: RunningServer): Partial<Record<Endpoint, Found>> {
  const origin = `the runtime file of pid ${server.pid} (${server.file}, serving ${server.repository_root})`
  return {
    rest: {value: server.rest_url, origin},
    grpc: {value: server.grpc_address, origin},
    ...(server.metrics_url === undefined ? {} : {metrics: {value: server.metrics_url, origin}}),
  }
}

const DEFAULTS: Record<Endpoint, string> = {
  rest: `http://127.0.0.1:${SERVER_DEFAULTS.http_port}`,
  grpc: `127.0.0.1:${SERVER_DEFAULTS.grpc_port}`,
  metrics: `http://127.0.0.1:${SERVER_DEFAULTS.metrics_port}${SERVER_DEFAULTS.metrics_endpoint ?? '/metrics'}`,
}

/** A folder with its symbolic links resolved, as a runtime file's root is compared with it. */
function real(folder: string): string {
  try {
    return realpathSync(folder)
  } catch {
    return folder
  }
}

/** Several servers and nothing to choose by: a usage error that lists them. */
function ambiguous(servers: readonly RunningServer[]): Error {
  const rows = servers.map((s) => `  ${s.rest_url}  pid ${s.pid}  ${s.repository_root}`)
  return usageError(
    `${servers.length} mls servers are running; say which with --url (or --grpc-url), or run the command inside one's repository folder:\n${rows.join('\n')}`,
  )
}

/** The running server the command means, when nothing else named one; throws when several and none fits. */
function runningServer(sources: EndpointSources, env: NodeJS.ProcessEnv, folder: string, hasSettings: boolean): RunningServer | undefined {
  const servers = readRunningServers(sources.runtimeDir ?? runtimeDir(env))
  const at = real(folder)
  if (hasSettings) {
    // settings.json names this folder's server: only a server on this very folder may say more precisely where it is.
    const same = servers.filter((s) => real(s.repository_root) === at)
    return same.length === 1 ? same[0] : undefined
  }
  const choice = chooseServer(
    servers.map((s) => ({...s, repository_root: real(s.repository_root)})),
    at,
    {onlyHolding: sources.repo !== undefined},
  )
  if (choice.kind === 'ambiguous') throw ambiguous(choice.servers)
  return choice.kind === 'one' ? servers.find((s) => s.pid === choice.server.pid) : undefined
}

export function resolveEndpoints(sources: EndpointSources = {}): Endpoints {
  const env = sources.env ?? process.env
  const cwd = sources.cwd ?? process.cwd()
  const folder = sources.repo === undefined ? cwd : path.resolve(cwd, sources.repo)
  const flags: Record<Endpoint, string | undefined> = {rest: sources.url, grpc: sources.grpcUrl, metrics: sources.metricsUrl}
  const given = (endpoint: Endpoint): Found | undefined => {
    const {flag, env: name} = FLAGS[endpoint]
    if (flags[endpoint] !== undefined) return {value: flags[endpoint], origin: flag}
    return env[name] ? {value: env[name], origin: `env ${name}`} : undefined
  }
  const explicit = {rest: given('rest'), grpc: given('grpc'), metrics: given('metrics')}
  const settings = addressesOfSettings(folder, cwd)
  const needs = sources.needs ?? (['rest', 'grpc', 'metrics'] as const)
  const running = needs.every((n) => explicit[n] === undefined) ? runningServer(sources, env, folder, settings !== undefined) : undefined
  const fromServer = running === undefined ? {} : addressesOfServer(running)

  const pick = (endpoint: Endpoint): Found => {
    const {flag, env: name} = FLAGS[endpoint]
    return (
      explicit[endpoint] ??
      fromServer[endpoint] ??
      settings?.[endpoint] ?? {value: DEFAULTS[endpoint], origin: `the default (no ${flag}, ${name}, settings.json or running mls start found)`}
    )
  }
  const rest = pick('rest')
  const grpc = pick('grpc')
  const metrics = pick('metrics')
  return {
    rest: trimSlash(rest.value),
    grpc: grpc.value.replace(/^grpc:\/\//, ''),
    metrics: metrics.value,
    origin: {rest: rest.origin, grpc: grpc.origin, metrics: metrics.origin},
    ...(running === undefined ? {} : {repositoryRoot: running.repository_root}),
  }
}
