/**
 * The worker side of a pool: creates the model's runtime from the settings in `workerData`, loads it, and answers
 * inference messages until told to unload. Runs inside a worker thread only.
 */
import {parentPort, workerData} from 'node:worker_threads'
import {MlsError} from '../errors.js'
import {Abortable} from '../util/abortable.js'
import type {InferRequest} from '../protocol/types.js'
import type {Runtime, RuntimeFactory} from '../runtimes/runtime.js'
import {serializeError, type FromWorker, type ToWorker, type WorkerData} from './messages.js'
import {forTransfer} from './transfer.js'

/** Posts a message, transferring `transfer`; a buffer that cannot be moved (native memory) is sent as a copy instead. */
function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  try {
    parentPort!.postMessage(message, transfer)
  } catch (error) {
    if (transfer.length === 0 || (error as Error).name !== 'DataCloneError') throw error
    parentPort!.postMessage(message)
  }
}

async function infer(runtime: Runtime, id: number, request: InferRequest, abortable: Abortable): Promise<void> {
  try {
    const result = await runtime.predict(abortable.attach(request))
    const {tensors, transfer} = forTransfer(result.outputs)
    post({type: 'result', id, result: {...result, outputs: tensors}}, transfer)
  } catch (error) {
    post({type: 'failed', id, error: serializeError(error)})
  }
}

/**
 * Serves one runtime made by `factory` (the worker entry passes the built-in registry's createRuntime). The thread ends
 * by itself once the runtime is unloaded, or when loading fails.
 */
export async function serveRuntime(factory: RuntimeFactory): Promise<void> {
  if (parentPort === null) throw new Error('serveRuntime() runs in a worker thread only')
  const port = parentPort
  const {settings} = workerData as WorkerData
  let runtime: Runtime
  let metadata
  try {
    runtime = factory(Object.freeze(settings))
    await runtime.load()
    metadata = runtime.metadata()
  } catch (error) {
    post({type: 'load-failed', error: serializeError(error)})
    port.close()
    return
  }
  // Requests start one per turn of the event loop, not as their message arrives: a runtime that computes synchronously
  // holds this thread, and the messages that came meanwhile (a cancel among them) are read before the next one starts.
  const waiting = new Map<number, InferRequest>()
  const running = new Map<number, Abortable>()
  let scheduled = false
  const schedule = () => {
    if (scheduled || waiting.size === 0) return
    scheduled = true
    setImmediate(startNext)
  }
  const startNext = () => {
    scheduled = false
    const next = waiting.entries().next()
    if (next.done === true) return
    const [id, request] = next.value
    waiting.delete(id)
    const abortable = new Abortable()
    running.set(id, abortable)
    post({type: 'started', id})
    void infer(runtime, id, request, abortable).finally(() => running.delete(id))
    schedule()
  }
  port.on('message', (message: ToWorker) => {
    if (message.type === 'infer') {
      waiting.set(message.id, message.request)
      schedule()
      return
    }
    if (message.type === 'cancel') {
      if (waiting.delete(message.id)) post({type: 'failed', id: message.id, error: {message: 'given up before it started', code: 'REQUEST_CANCELLED'}})
      else running.get(message.id)?.abort(new MlsError('REQUEST_CANCELLED', 'the request was given up'))
      return
    }
    runtime.unload().then(
      () => post({type: 'unloaded'}),
      (error: unknown) => post({type: 'unloaded', error: serializeError(error)}),
    ).finally(() => port.close())
  })
  post({type: 'ready', metadata})
}
