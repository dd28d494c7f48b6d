/**
 * The response cache (MLServer's `cache_enabled` / `cache_size`): answers of the model versions that opt in, keyed by
 * what the runtime would get (cache-key.ts), bounded by entries (`cache_size`) and by the bytes of their output tensors
 * (`cache_max_bytes`), least recently used dropped first (lru-cache).
 *
 * Entries belong to the instance that answered: each loaded instance has a key space of its own, so from the moment a
 * reload's new instance serves, the old one's answers are never served again, and they are deleted when it is freed
 * (reload, unload, eviction: the lifecycle's `freed` hook calls `forget`). An answer is stored only while its instance
 * still serves its version (READY): one finishing during an unload or after a reload is not kept.
 *
 * Opting in says the model is deterministic: the same inputs, parameters and requested outputs give the same answer.
 * Errors are never cached (only answers reach `store`); streams (predictStream) never pass here.
 */
import {LRUCache} from 'lru-cache'
import type {Parameters, Tensor} from '../protocol/types.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import {cacheKey, type KeyedRequest, type RequestedOutputs} from './cache-key.js'

export interface ResponseCacheSettings {
  /** cache_size: answers held. */
  readonly entries: number
  /** cache_max_bytes: bytes of output tensors held (plus a fixed overhead per entry). */
  readonly bytes: number
}

/** What the cache holds of an answer: the runtime's outputs and parameters (the id and names are the request's). */
export interface CachedAnswer {
  readonly parameters?: Parameters
  readonly outputs: readonly Tensor[]
}

/** Bytes counted per entry besides its tensors: the key, the objects around the tensors. */
const ENTRY_OVERHEAD = 256
const TENSOR_OVERHEAD = 64

export class ResponseCache {
  private readonly lru: LRUCache<string, CachedAnswer>
  /** Each instance's key prefix, given on its first cached request. */
  private readonly prefixes = new WeakMap<LoadedModel, string>()
  private instances = 0
  /** Look-ups of opted-in models that found an answer, and that did not. */
  hits = 0
  misses = 0

  constructor(settings: ResponseCacheSettings) {
    this.lru = new LRUCache<string, CachedAnswer>({max: settings.entries, maxSize: settings.bytes, sizeCalculation: answerBytes})
  }

  /** Whether answers of `instance` are cached: its model-settings.json has cache_enabled. */
  covers(instance: LoadedModel): boolean {
    return instance.settings.cacheEnabled === true
  }

  /** The key of `request` on `entry` served by `instance`; `outputs` is the body's `outputs` field. */
  key(entry: ModelEntry, instance: LoadedModel, request: KeyedRequest, outputs: RequestedOutputs): string {
    return `${this.prefixOf(instance)}${cacheKey(entry.name, entry.version, request, outputs)}`
  }

  /** The answer stored under `key` (most recently used from now), counting a hit or a miss. */
  lookup(key: string): CachedAnswer | undefined {
    const answer = this.lru.get(key)
    if (answer === undefined) this.misses++
    else this.hits++
    return answer
  }

  /**
   * Keeps a copy of `answer` under `key` when `instance` still serves `entry`. A copy: the runtime may reuse its
   * arrays, and a view would keep its whole buffer alive while counting only the view. An answer larger than
   * cache_max_bytes is not kept.
   */
  store(key: string, entry: ModelEntry, instance: LoadedModel, answer: CachedAnswer): void {
    if (entry.instance !== instance || entry.state !== 'READY') return
    this.lru.set(key, copyAnswer(answer))
  }

  /** Deletes every answer of `instance` (it was freed: unloaded, reloaded or evicted). */
  forget(instance: LoadedModel): void {
    const prefix = this.prefixes.get(instance)
    if (prefix === undefined) return
    this.prefixes.delete(instance)
    for (const key of [...this.lru.keys()]) if (key.startsWith(prefix)) this.lru.delete(key)
  }

  /** Answers held now. */
  get entries(): number {
    return this.lru.size
  }

  /** Bytes held now, as the bound counts them. */
  get bytes(): number {
    return this.lru.calculatedSize
  }

  private prefixOf(instance: LoadedModel): string {
    let prefix = this.prefixes.get(instance)
    if (prefix === undefined) this.prefixes.set(instance, (prefix = `${++this.instances}:`))
    return prefix
  }
}

function tensorBytes(tensor: Tensor): number {
  if (tensor.datatype === 'BYTES') return (tensor.data as readonly Uint8Array[]).reduce((n, e) => n + 4 + e.byteLength, 0)
  return (tensor.data as ArrayBufferView).byteLength
}

function answerBytes(answer: CachedAnswer): number {
  let bytes = ENTRY_OVERHEAD
  for (const tensor of answer.outputs) bytes += TENSOR_OVERHEAD + tensorBytes(tensor)
  return bytes
}

function copyTensor(tensor: Tensor): Tensor {
  let data: Tensor['data']
  if (tensor.datatype === 'BYTES') {
    const elements = tensor.data as readonly Uint8Array[]
    const all = new Uint8Array(elements.reduce((n, e) => n + e.byteLength, 0))
    let offset = 0
    data = elements.map((element) => {
      all.set(element, offset)
      offset += element.byteLength
      return all.subarray(offset - element.byteLength, offset)
    })
  } else {
    data = (tensor.data as Exclude<Tensor['data'], readonly Uint8Array[]>).slice()
  }
  const copy: Tensor = {name: tensor.name, datatype: tensor.datatype, shape: [...tensor.shape], data}
  return tensor.parameters === undefined ? copy : {...copy, parameters: structuredClone(tensor.parameters)}
}

function copyAnswer(answer: CachedAnswer): CachedAnswer {
  const outputs = answer.outputs.map(copyTensor)
  return answer.parameters === undefined ? {outputs} : {outputs, parameters: structuredClone(answer.parameters)}
}
