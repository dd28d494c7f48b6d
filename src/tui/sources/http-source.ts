/**
 * The MonitorSource of a real server: its public endpoints only (health, metadata, repository index, metrics), so it
 * watches any Open Inference Protocol server with the repository extension. Each poll asks every endpoint at once,
 * each with a timeout; one that fails is reported as such while the others still count. Load and unload go through
 * the shared client (REST, or gRPC with --grpc).
 */
import {request, type Dispatcher} from 'undici'
import {CliError} from '../../cli/cli-error.js'
import {connectionCause} from '../../client/credentials.js'
import type {ClientCredentials, MlsClient} from '../../client/index.js'
import {authorizationHeaders, dispatcherFor} from '../../client/rest-client.js'
import {readIndexMemoryFields} from '../../memory/index-fields.js'
import type {ModelState, RepositoryIndexItem, ServerMetadata} from '../../protocol/types.js'
import {failed, ok, type MonitorSource, type Probe, type ServerSnapshot} from './monitor-source.js'

/** How long one endpoint may take before the poll reports it as timed out. */
const TIMEOUT_MS = 5000

/** The short reason of a failed request: the system error code, or the message. */
function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException & {name?: string}
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out'
  if (e.code !== undefined && /^E[A-Z]+$/.test(e.code)) return e.code
  return e.code !== undefined ? connectionCause(error) : (e.message ?? String(error))
}

interface FetchInit {
  method?: 'GET' | 'POST'
  body?: string
  headers?: Record<string, string>
  dispatcher?: Dispatcher
}

async function fetchText(url: string, init: FetchInit = {}): Promise<{status: number; text: string}> {
  const response = await request(url, {
    method: init.method ?? 'GET',
    body: init.body,
    headers: {...init.headers, ...(init.body === undefined ? {} : {'content-type': 'application/json'})},
    dispatcher: init.dispatcher,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  })
  return {status: response.statusCode, text: await response.body.text()}
}

async function probe<T>(url: string, read: (status: number, text: string) => T, init?: FetchInit): Promise<Probe<T>> {
  let answer
  try {
    answer = await fetchText(url, init)
  } catch (error) {
    return failed(reasonOf(error))
  }
  try {
    return ok(read(answer.status, answer.text))
  } catch (error) {
    return failed((error as Error).message)
  }
}

function json<T>(status: number, text: string): T {
  if (status === 401) throw new Error('HTTP 401: the server wants the repository API token (--token or MLS_REPOSITORY_AUTH_TOKEN)')
  if (status !== 200) throw new Error(`HTTP ${status}`)
  try {
    return JSON.parse(text) as T
  } catch {
    throw new Error('not JSON')
  }
}

function indexItems(status: number, text: string): RepositoryIndexItem[] {
  const items = json<unknown>(status, text)
  if (!Array.isArray(items)) throw new Error('not a repository index')
  return items.filter((item): item is Record<string, unknown> & {name: string} => typeof item?.name === 'string').map((item) => ({
    name: item.name,
    version: typeof item.version === 'string' && item.version !== '' ? item.version : undefined,
    // Another server may have states of its own: shown as they come.
    state: (typeof item.state === 'string' && item.state !== '' ? item.state : 'UNKNOWN') as ModelState,
    reason: typeof item.reason === 'string' ? item.reason : '',
    // With a memory_budget: memory_bytes, memory_source, pinned, last_used (checked; absent without a budget).
    ...readIndexMemoryFields(item),
  }))
}

/** The Prometheus text at `metricsUrl` (undefined: metrics are off). */
export function probeMetrics(metricsUrl: string | undefined, dispatcher?: Dispatcher): Promise<Probe<string>> {
  if (metricsUrl === undefined) return Promise.resolve(failed('metrics are off'))
  return probe(
    metricsUrl,
    (status, text) => {
      if (status !== 200) throw new Error(`HTTP ${status}`)
      return text
    },
    {dispatcher},
  )
}

/** A source for the server at `url` (REST) and `metricsUrl` (undefined: metrics are off), with `client` for load / unload. */
export function httpSource(options: {url: string; metricsUrl: string | undefined; client: MlsClient; credentials?: ClientCredentials; now?: () => number}): MonitorSource {
  const {url, metricsUrl, client} = options
  const credentials = options.credentials ?? {}
  const dispatcher = dispatcherFor(credentials)
  const now = options.now ?? (() => performance.now())
  const action = async (run: () => Promise<void>) => {
    try {
      await run()
    } catch (error) {
      if (error instanceof CliError) throw new Error(error.message.replace(/\. Start one with.*$/, ''))
      throw error
    }
  }
  return {
    url,
    metricsUrl: metricsUrl ?? 'off',
    async snapshot({metadata}): Promise<ServerSnapshot> {
      const [ready, meta, index, metrics] = await Promise.all([
        probe(`${url}/v2/health/ready`, (status) => status === 200, {dispatcher}),
        metadata ? probe(`${url}/v2`, (status, text) => json<ServerMetadata>(status, text), {dispatcher}) : undefined,
        probe(`${url}/v2/repository/index`, indexItems, {method: 'POST', body: '{}', headers: authorizationHeaders(credentials), dispatcher}),
        probeMetrics(metricsUrl, dispatcher),
      ])
      return {time: now(), ready, metadata: meta, index, metrics}
    },
    load: (name) => action(() => client.loadModel(name)),
    unload: (name) => action(() => client.unloadModel(name)),
  }
}
