/** The REST client (undici). */
import {Agent, request, type Dispatcher} from 'undici'
import type {InferenceRequestBody, InferenceResponse, ModelMetadata, RepositoryIndexItem, ServerMetadata} from '../protocol/types.js'
import {BINARY_CONTENT_TYPE, HEADER_LENGTH} from '../protocol/binary-extension.js'
import {decodeBinaryResponse, encodeBinaryRequest} from './binary-body.js'
import {ConnectionError, ServerError} from './client-error.js'
import {inferenceEvents} from './event-stream.js'
import {connectionCause, type ClientCredentials} from './credentials.js'
import type {InferOptions, MlsClient} from './mls-client.js'

const modelPath = (name: string, version?: string) =>
  `/v2/models/${encodeURIComponent(name)}${version ? `/versions/${encodeURIComponent(version)}` : ''}`

/** The undici dispatcher that trusts `ca` (undefined: undici's global one, the system's roots). */
export function dispatcherFor(credentials: ClientCredentials): Dispatcher | undefined {
  return credentials.ca === undefined ? undefined : new Agent({connect: {ca: credentials.ca}})
}

/** Request headers that carry the token, if there is one. */
export function authorizationHeaders(credentials: ClientCredentials): Record<string, string> {
  return credentials.token === undefined ? {} : {authorization: `Bearer ${credentials.token}`}
}

export class RestClient implements MlsClient {
  private readonly dispatcher?: Dispatcher

  /** `origin`: where `target` came from, for the unreachable-server message (endpoints.ts). */
  constructor(
    readonly target: string,
    private readonly credentials: ClientCredentials = {},
    private readonly origin?: string,
  ) {
    this.dispatcher = dispatcherFor(credentials)
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, okStatuses: number[] = [], extra: Record<string, string> = {}): Promise<{status: number; body: T}> {
    const {status, text} = await this.send(method, path, body === undefined ? extra : {'content-type': 'application/json', ...extra}, body === undefined ? undefined : JSON.stringify(body))
    return {status, body: this.parse<T>(status, text, okStatuses)}
  }

  private async send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string | Buffer) {
    let response
    try {
      response = await request(this.target + path, {method, headers: {...authorizationHeaders(this.credentials), ...headers}, body, dispatcher: this.dispatcher})
    } catch (error) {
      throw new ConnectionError(this.target, connectionCause(error), undefined, this.origin)
    }
    const binaryLength = response.headers[HEADER_LENGTH]
    if (binaryLength !== undefined && response.statusCode < 400) {
      return {status: response.statusCode, text: '', binary: {body: Buffer.from(await response.body.arrayBuffer()), headerLength: Number(binaryLength)}}
    }
    return {status: response.statusCode, text: await response.body.text()}
  }

  private parse<T>(status: number, text: string, okStatuses: number[] = []): T {
    let parsed: unknown
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (status >= 400 && !okStatuses.includes(status)) {
      const error = parsed as {error?: string; code?: string; detail?: unknown} | undefined
      throw new ServerError(String(status), error?.code, error?.error ?? (text || `HTTP ${status}`))
    }
    return parsed as T
  }

  async serverLive(): Promise<boolean> {
    return (await this.call('GET', '/v2/health/live', undefined, [503])).status === 200
  }

  async serverReady(): Promise<boolean> {
    return (await this.call('GET', '/v2/health/ready', undefined, [503])).status === 200
  }

  async serverMetadata(): Promise<ServerMetadata> {
    return (await this.call<ServerMetadata>('GET', '/v2')).body
  }

  async modelMetadata(name: string, version?: string): Promise<ModelMetadata> {
    return (await this.call<ModelMetadata>('GET', modelPath(name, version))).body
  }

  async infer(name: string, version: string | undefined, body: InferenceRequestBody, options: InferOptions = {}): Promise<InferenceResponse> {
    const path = `${modelPath(name, version)}/infer`
    const trace: Record<string, string> = options.traceparent === undefined ? {} : {traceparent: options.traceparent}
    if (!options.binary) return (await this.call<InferenceResponse>('POST', path, body, [], trace)).body
    const encoded = encodeBinaryRequest(body)
    const headers = {'content-type': BINARY_CONTENT_TYPE, [HEADER_LENGTH]: String(encoded.headerLength), ...trace}
    const answer = await this.send('POST', path, headers, encoded.body)
    if (answer.binary) return decodeBinaryResponse(answer.binary.body, answer.binary.headerLength)
    return this.parse<InferenceResponse>(answer.status, answer.text)
  }

  async *inferStream(name: string, version: string | undefined, body: InferenceRequestBody): AsyncGenerator<InferenceResponse> {
    let response
    try {
      response = await request(`${this.target}${modelPath(name, version)}/infer_stream`, {
        method: 'POST',
        headers: {...authorizationHeaders(this.credentials), 'content-type': 'application/json', accept: 'text/event-stream'},
        body: JSON.stringify(body),
        dispatcher: this.dispatcher,
      })
    } catch (error) {
      throw new ConnectionError(this.target, connectionCause(error), undefined, this.origin)
    }
    // An error before the first event is an ordinary error answer.
    if (response.statusCode >= 400) this.parse(response.statusCode, await response.body.text())
    try {
      yield* inferenceEvents(response.body)
    } finally {
      // Stopped early (or failed): closing the body closes the connection, which cancels the stream on the server.
      if (!response.body.destroyed) response.body.destroy()
    }
  }

  async repositoryIndex(ready?: boolean): Promise<RepositoryIndexItem[]> {
    return (await this.call<RepositoryIndexItem[]>('POST', '/v2/repository/index', ready === undefined ? {} : {ready})).body
  }

  async loadModel(name: string): Promise<void> {
    await this.call('POST', `/v2/repository/models/${encodeURIComponent(name)}/load`)
  }

  async unloadModel(name: string): Promise<void> {
    await this.call('POST', `/v2/repository/models/${encodeURIComponent(name)}/unload`)
  }

  async close(): Promise<void> {
    await this.dispatcher?.close()
  }
}
