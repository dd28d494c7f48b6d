/** The REST client (undici). */
import {request} from 'undici'
import type {InferenceRequestBody, InferenceResponse, ModelMetadata, RepositoryIndexItem, ServerMetadata} from '../protocol/types.js'
import {ConnectionError, ServerError} from './client-error.js'
import type {MlsClient} from './mls-client.js'

const modelPath = (name: string, version?: string) =>
  `/v2/models/${encodeURIComponent(name)}${version ? `/versions/${encodeURIComponent(version)}` : ''}`

export class RestClient implements MlsClient {
  constructor(readonly target: string) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, okStatuses: number[] = []): Promise<{status: number; body: T}> {
    let response
    try {
      response = await request(this.target + path, {
        method,
        headers: body === undefined ? {} : {'content-type': 'application/json'},
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (error) {
      const e = error as NodeJS.ErrnoException
      throw new ConnectionError(this.target, e.code ?? e.message)
    }
    const text = await response.body.text()
    let parsed: unknown
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (response.statusCode >= 400 && !okStatuses.includes(response.statusCode)) {
      const error = parsed as {error?: string; code?: string; detail?: unknown} | undefined
      throw new ServerError(String(response.statusCode), error?.code, error?.error ?? (text || `HTTP ${response.statusCode}`))
    }
    return {status: response.statusCode, body: parsed as T}
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

  async infer(name: string, version: string | undefined, body: InferenceRequestBody): Promise<InferenceResponse> {
    return (await this.call<InferenceResponse>('POST', `${modelPath(name, version)}/infer`, body)).body
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

  async close(): Promise<void> {}
}
