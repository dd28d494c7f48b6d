/**
 * What `mls bench` sends: the model's test set (--dataset FILE, else test-set.json beside its model-settings.json, as
 * `mls test` finds it), or random data built from the model's metadata when there is none or --random is given.
 */
import {randomRequest} from '../benchmark/random-request.js'
import {testSetRequests} from '../benchmark/test-set-requests.js'
import type {InferenceRequestBody, ModelMetadata} from '../protocol/types.js'
import {readTestSet} from '../testing/test-set.js'
import {CliError} from './cli-error.js'
import {findTestSet} from './find-test-set.js'

export type RequestSource = {readonly source: 'test-set'; readonly file: string} | {readonly source: 'random'; readonly why: string}

export interface BenchRequests {
  readonly requests: InferenceRequestBody[]
  readonly source: RequestSource
}

export interface BenchRequestOptions {
  readonly model: string
  readonly version?: string
  readonly repo?: string
  readonly dataset?: string
  readonly random: boolean
  readonly batchSize: number
  readonly shapes: ReadonlyMap<string, number[]>
}

export function describeSource(source: RequestSource): string {
  return source.source === 'test-set' ? `the test set ${source.file}` : `random data from the model's metadata (${source.why})`
}

export async function benchRequests(metadata: ModelMetadata, options: BenchRequestOptions): Promise<BenchRequests> {
  const random = (why: string): BenchRequests => ({requests: [randomRequest(metadata, options)], source: {source: 'random', why}})
  if (options.random) return random('--random')
  let file: string
  try {
    file = await findTestSet({dataset: options.dataset, repo: options.repo, model: options.model, version: options.version})
  } catch (error) {
    if (error instanceof CliError) return random(error.message.replace(/; (?:run in|give) .*$/, ''))
    throw error
  }
  return {requests: testSetRequests(await readTestSet(file), options.batchSize), source: {source: 'test-set', file}}
}
