/**
 * A stream client that does what tritonclient's gRPC client does (tritonclient/grpc/__init__.py start_stream /
 * async_stream_infer / stop_stream, _infer_stream.py, _utils.py _get_inference_request), over the Triton-shaped client
 * proto in test/fixtures (not proto/):
 * - a request: model_name, model_version, id only when not empty, each input as {name, datatype, shape} with its
 *   numpy bytes in raw_input_contents, requested outputs by name, and `triton_enable_empty_final_response` only when
 *   asked for;
 * - each ModelStreamInferResponse calls back with an error when error_message is not empty, else with infer_response;
 * - a gRPC error (the stream ended with a status) calls back with that error;
 * - stop_stream half-closes the request stream and waits for the answers still due; with cancel_requests it cancels.
 */
import {fileURLToPath} from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

const PROTO = fileURLToPath(new URL('../../fixtures/triton-client.proto', import.meta.url))
const OPTIONS: protoLoader.Options = {keepCase: true, longs: String, enums: String, defaults: true, arrays: true, objects: true, oneofs: true}

export interface InferParameter {
  parameter_choice?: string
  bool_param?: boolean
  int64_param?: string
  string_param?: string
}

export interface InferResponse {
  model_name: string
  model_version: string
  id: string
  parameters: Record<string, InferParameter>
  outputs: Array<{name: string; datatype: string; shape: string[]}>
  raw_output_contents: Buffer[]
}

export interface StreamMessage {
  error_message: string
  infer_response: InferResponse | null
}

/** What the callback of start_stream gets: a result, or an InferenceServerException (a message, and a status for a gRPC error). */
export type Callback = {result: InferResponse; error?: undefined} | {result?: undefined; error: {message: string; status?: grpc.status}}

/** An InferInput with its data set from a numpy array (raw little-endian bytes). */
export interface InferInput {
  name: string
  datatype: string
  shape: number[]
  raw: Buffer
}

export const fp32Input = (name: string, shape: number[], values: ArrayLike<number>): InferInput => ({name, datatype: 'FP32', shape, raw: Buffer.from(Float32Array.from(values).buffer)})
export const fp64Input = (name: string, shape: number[], values: ArrayLike<number>): InferInput => ({name, datatype: 'FP64', shape, raw: Buffer.from(Float64Array.from(values).buffer)})

export function tritonInferenceClient(address: string): grpc.Client & Record<string, any> {
  const root = grpc.loadPackageDefinition(protoLoader.loadSync(PROTO, OPTIONS)) as any
  return new root.inference.GRPCInferenceService(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, any>
}

export class TritonStream {
  /** Every message of the stream, as received. */
  readonly messages: StreamMessage[] = []
  /** Every callback, in order. */
  readonly callbacks: Callback[] = []
  /** Resolves with the status the stream ended with (OK, or the error's code). */
  readonly ended: Promise<grpc.status>
  private readonly call: grpc.ClientDuplexStream<unknown, StreamMessage>

  constructor(client: grpc.Client & Record<string, any>) {
    this.call = client.ModelStreamInfer()
    this.ended = new Promise((resolve) => {
      this.call.on('data', (message: StreamMessage) => {
        this.messages.push(message)
        if (message.error_message !== '') this.callbacks.push({error: {message: message.error_message}})
        else this.callbacks.push({result: message.infer_response!})
      })
      this.call.on('error', (error: grpc.ServiceError) => {
        this.callbacks.push({error: {message: error.details, status: error.code}})
        resolve(error.code)
      })
      this.call.on('end', () => resolve(grpc.status.OK))
    })
  }

  asyncStreamInfer(
    modelName: string,
    inputs: InferInput[],
    options: {modelVersion?: string; requestId?: string; outputs?: string[]; parameters?: Record<string, string | boolean | number>; enableEmptyFinalResponse?: boolean} = {},
  ): void {
    const request: Record<string, unknown> = {model_name: modelName, model_version: options.modelVersion ?? ''}
    if ((options.requestId ?? '') !== '') request.id = options.requestId
    request.inputs = inputs.map(({name, datatype, shape}) => ({name, datatype, shape}))
    request.raw_input_contents = inputs.map((input) => input.raw)
    if (options.outputs !== undefined) request.outputs = options.outputs.map((name) => ({name}))
    const parameters: Record<string, InferParameter> = {}
    for (const [key, value] of Object.entries(options.parameters ?? {})) {
      parameters[key] = typeof value === 'string' ? {string_param: value} : typeof value === 'boolean' ? {bool_param: value} : {int64_param: String(value)}
    }
    if (options.enableEmptyFinalResponse === true) parameters.triton_enable_empty_final_response = {bool_param: true}
    request.parameters = parameters
    this.call.write(request)
  }

  /** Waits until `n` callbacks have come (at most 400 tries, 25 ms apart). */
  async untilCallbacks(n: number): Promise<void> {
    for (let i = 0; i < 400 && this.callbacks.length < n; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    if (this.callbacks.length < n) throw new Error(`${this.callbacks.length} callbacks, ${n} expected: ${JSON.stringify(this.callbacks)}`)
  }

  /** stop_stream: half-close (answers still due come first), or cancel; resolves with how the stream ended. */
  stopStream(cancelRequests = false): Promise<grpc.status> {
    if (cancelRequests) this.call.cancel()
    else this.call.end()
    return this.ended
  }
}
