/**
 * The messages between a worker pool (main thread) and one worker thread. Tensor data travels as typed arrays whose
 * buffers are in the transfer list (see transfer.ts), never as JSON.
 */
import {ERROR_CODES, MlsError, type ErrorCode} from '../errors.js'
import type {InferRequest, InferResult} from '../protocol/types.js'
import type {RuntimeMetadata} from '../runtimes/runtime.js'
import type {ModelSettings} from '../settings/model-settings.js'

/** What a worker receives as `workerData`: the model's settings (plain, structured-cloneable data). */
export interface WorkerData {
  readonly settings: ModelSettings
}

/** Main thread to worker. */
export type ToWorker =
  | {readonly type: 'infer'; readonly id: number; readonly request: Omit<InferRequest, 'signal'>}
  /** The request was given up (client gone, timeout): skip it if not started, else abort its signal. */
  | {readonly type: 'cancel'; readonly id: number}
  | {readonly type: 'unload'}

/** Worker to main thread. */
export type FromWorker =
  | {readonly type: 'ready'; readonly metadata: RuntimeMetadata}
  | {readonly type: 'load-failed'; readonly error: SerializedError}
  /** The thread began running the request (sent before its runtime is called): a request given up is timed from here. */
  | {readonly type: 'started'; readonly id: number}
  | {readonly type: 'result'; readonly id: number; readonly result: InferResult}
  | {readonly type: 'failed'; readonly id: number; readonly error: SerializedError}
  | {readonly type: 'unloaded'; readonly error?: SerializedError}

/** An error as it crosses threads: its message, and its stable code when it was an MlsError. */
export interface SerializedError {
  readonly message: string
  readonly code?: string
}

export function serializeError(error: unknown): SerializedError {
  const message = error instanceof Error ? error.message : String(error)
  return error instanceof MlsError ? {message, code: error.code} : {message}
}

/** The error again on this side: an MlsError keeps its code, anything else becomes a plain Error. */
export function deserializeError(error: SerializedError): Error {
  if (error.code !== undefined && Object.hasOwn(ERROR_CODES, error.code)) return new MlsError(error.code as ErrorCode, error.message)
  return new Error(error.message)
}
