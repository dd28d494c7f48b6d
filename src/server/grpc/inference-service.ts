/** inference.GRPCInferenceService: every rpc translates its message, calls the data plane, translates back. */
import * as grpc from '@grpc/grpc-js'
import {MlsError, toMlsError} from '../../errors.js'
import type {DataPlane, InferOptions} from '../../dataplane/dataplane.js'
import type {RequestScope} from '../../dataplane/request-scope.js'
import {toServiceError} from './error-map.js'
import {endedAs, logFailure, unary, type HandlerContext} from './handlers.js'
import {malformedError} from './malformed.js'
import {fromModelInferRequest, toModelInferResponse} from './infer-messages.js'
import type {ModelInferRequestMessage, ModelInferResponseMessage, ModelMetadataResponseMessage, ModelRequestMessage} from '../../protocol/grpc-messages.js'
import type {InferenceResult} from '../../protocol/types.js'
import type {GrpcStreamFormat} from '../../settings/server-settings.js'
import {streamMessages, type StreamMessages} from './stream-messages.js'
import {tracedCall} from './traced-infer.js'
import {toInferParameters} from '../../protocol/grpc-parameters.js'
import {extensionHandlers} from './extension-service.js'
import {repositoryHandlers} from './repository-service.js'
import {modelLabel} from '../../repository/model-label.js'

/** The data plane's answer to one ModelInferRequest, and whether the request used raw_input_contents. */
async function inferMessage(dataplane: DataPlane, message: ModelInferRequestMessage, options: InferOptions): Promise<{result: InferenceResult; raw: boolean}> {
  const malformed = malformedError(message)
  if (malformed) throw malformed
  const {body, raw} = fromModelInferRequest(message)
  const result = await dataplane.infer(message.model_name, message.model_version || undefined, body, options)
  return {result, raw}
}

export async function modelInfer(dataplane: DataPlane, message: ModelInferRequestMessage, options: InferOptions = {}): Promise<ModelInferResponseMessage> {
  const {result, raw} = await inferMessage(dataplane, message, options)
  return toModelInferResponse(result, raw)
}

type Call = Pick<grpc.ServerUnaryCall<unknown, unknown>, 'cancelled' | 'getDeadline'> & {
  on(event: 'cancelled', listener: () => void): unknown
  removeListener(event: 'cancelled', listener: () => void): unknown
}

/** The call's deadline (epoch ms), or undefined for none. */
function deadlineOf(call: Pick<Call, 'getDeadline'>): number | undefined {
  const deadline = call.getDeadline()
  const ms = deadline instanceof Date ? deadline.getTime() : deadline
  return Number.isFinite(ms) ? ms : undefined
}

/**
 * The call's deadline, and a watch on the client cancelling it. grpc-js also cancels the call when its deadline
 * passes: that one is a timeout (DEADLINE_EXCEEDED), not the client going away (CANCELLED).
 */
function callLimits(call: Call): InferOptions {
  const ms = deadlineOf(call)
  const watchClient = (scope: RequestScope) => {
    const gone = () => (ms !== undefined && Date.now() >= ms ? scope.deadlinePassed() : scope.clientGone())
    if (call.cancelled) return gone()
    call.on('cancelled', gone)
    // A stream carries many requests: each stops watching when it is over.
    return () => void call.removeListener('cancelled', gone)
  }
  return {watchClient, deadline: ms, source: 'grpc'}
}

/**
 * ModelStreamInfer, its messages shaped as grpc_stream_format says (stream-messages.ts). For a model whose runtime
 * streams (predictStream), the whole stream goes through it: the runtime reads the requests as they come and each
 * result it yields is a response (any number per request); an error ends the stream with the mapped status (the
 * runtime's stream is over). For any other model, requests are answered in order, one response each; the error of one
 * request ends the stream with the mapped status (mlserver), or is sent in-stream and the next request is answered
 * (triton). A half-close ends the stream once the pending answers are sent.
 */
function modelStreamInfer(dataplane: DataPlane, context: HandlerContext, messages: StreamMessages): grpc.handleBidiStreamingCall<ModelInferRequestMessage, unknown> {
  return (call) => {
    const started = performance.now()
    let counted = false
    // Once per stream: as it ended for the client (a cancelled or expired stream is not OK; see endedAs).
    const done = (sent: grpc.status) => {
      if (counted) return
      counted = true
      context.observer?.grpcFinished('ModelStreamInfer', grpc.status[endedAs(call, sent)], (performance.now() - started) / 1000)
    }
    call.on('cancelled', () => done(grpc.status.CANCELLED))
    // Node ends the readable side on a client's RST_STREAM as on a half-close, and grpc-js reports the cancel a tick
    // after the stream closes: a stream cancelled while idle looks finished. OK is counted once a cancel would show.
    const endOk = () => {
      call.once('close', () => setImmediate(() => done(grpc.status.OK)))
      call.end()
    }
    let chain = Promise.resolve()
    let failed = false
    let first = true
    let streaming = false
    const limits = callLimits(call)
    const fail = (thrown: unknown) => {
      failed = true
      const status = toServiceError(thrown)
      logFailure(context.logger, 'ModelStreamInfer', status.error)
      done(status.code ?? grpc.status.UNKNOWN)
      call.emit('error', status)
    }
    // With a memory_budget, a stream opened to a version not in memory is held until it has loaded: only then can
    // it be told whether the model streams (a custom runtime's predictStream).
    let held: Promise<void> | undefined
    const onData = (message: ModelInferRequestMessage) => {
      if (first && held === undefined && dataplane.loadsFirst(message.model_name, message.model_version || undefined)) {
        call.removeListener('data', onData)
        call.pause()
        held = dataplane
          .bringIn(message.model_name, message.model_version || undefined, limits)
          .catch(() => undefined) // the request itself then fails with the reason, as it would have
          .then(() => {
            call.on('data', onData)
            onData(message)
            call.resume()
          })
        return
      }
      if (first) {
        first = false
        if (streamsTo(dataplane, message)) {
          streaming = true
          call.removeListener('data', onData)
          call.pause()
          streamThrough(dataplane, call, message, limits, messages).then(endOk, fail)
          return
        }
      }
      chain = chain.then(async () => {
        if (failed || call.cancelled) return
        try {
          const tracer = context.tracer
          if (tracer === undefined) {
            const {result, raw} = await inferMessage(dataplane, message, limits)
            if (!call.cancelled) call.write(messages.answer(result, raw, true))
          } else {
            const answer = await tracedCall(tracer, 'ModelStreamInfer', call.metadata, (trace) => inferMessage(dataplane, message, {...limits, trace}), (result, raw) => messages.answer(result, raw, true))
            if (!call.cancelled) call.write(answer)
          }
        } catch (thrown) {
          const error = toMlsError(thrown)
          const inStream = call.cancelled ? undefined : messages.error(error, message)
          if (inStream === undefined) return fail(error)
          logFailure(context.logger, 'ModelStreamInfer', error)
          call.write(inStream)
        }
      })
    }
    call.on('data', onData)
    call.on('end', () => {
      void (held ?? Promise.resolve()).then(() => {
        if (streaming) return
        void chain.then(() => {
          if (!failed) endOk()
        })
      })
    })
  }
}

/** Whether the stream's first message is for a model that streams (anything wrong with it is reported the usual way). */
function streamsTo(dataplane: DataPlane, message: ModelInferRequestMessage): boolean {
  if (malformedError(message) !== undefined) return false
  try {
    return dataplane.streams(message.model_name, message.model_version || undefined)
  } catch {
    return false
  }
}

/** The stream through the model's predictStream: messages in, every result the runtime yields out. */
async function streamThrough(
  dataplane: DataPlane,
  call: grpc.ServerDuplexStream<ModelInferRequestMessage, unknown>,
  first: ModelInferRequestMessage,
  limits: InferOptions,
  messages: StreamMessages,
): Promise<void> {
  const name = first.model_name
  const version = first.model_version || undefined
  const raw = first.raw_input_contents.length > 0
  async function* bodies(): AsyncGenerator<unknown> {
    yield fromModelInferRequest(first).body
    // destroyOnReturn: false, or the end of the reading would destroy the call, writable side and answers included.
    for await (const message of call.iterator({destroyOnReturn: false}) as AsyncIterable<ModelInferRequestMessage>) {
      const malformed = malformedError(message)
      if (malformed) throw malformed
      if (message.model_name !== name || (message.model_version || undefined) !== version) {
        const found = modelLabel({name: message.model_name, version: message.model_version || undefined})
        throw new MlsError('INVALID_REQUEST', `a stream to a streaming model carries requests for that model only: this one is for ${modelLabel({name, version})}, found ${found}`)
      }
      yield fromModelInferRequest(message).body
    }
  }
  for await (const result of dataplane.inferStream(name, version, bodies(), limits)) {
    if (call.cancelled) return
    call.write(messages.answer(result, raw, false))
  }
}

export function inferenceHandlers(dataplane: DataPlane, context: HandlerContext, streamFormat: GrpcStreamFormat = 'mlserver'): grpc.UntypedServiceImplementation {
  return {
    ServerLive: unary(context, 'ServerLive', () => ({live: dataplane.live()})),
    ServerReady: unary(context, 'ServerReady', () => ({ready: dataplane.ready()})),
    ModelReady: unary(context, 'ModelReady', (r: ModelRequestMessage) => ({ready: dataplane.modelReady(r.name, r.version || undefined)})),
    ServerMetadata: unary(context, 'ServerMetadata', () => dataplane.serverMetadata()),
    ModelMetadata: unary(context, 'ModelMetadata', async (r: ModelRequestMessage): Promise<ModelMetadataResponseMessage> => {
      const metadata = await dataplane.modelMetadata(r.name, r.version || undefined)
      const tensor = (t: (typeof metadata.inputs)[number]) => ({name: t.name, datatype: t.datatype, shape: [...t.shape], parameters: toInferParameters(t.parameters)})
      return {...metadata, inputs: metadata.inputs.map(tensor), outputs: metadata.outputs.map(tensor), parameters: toInferParameters(metadata.parameters)}
    }),
    ModelInfer: unary(context, 'ModelInfer', (r: ModelInferRequestMessage, call) => {
      const tracer = context.tracer
      if (tracer === undefined) return modelInfer(dataplane, r, callLimits(call))
      const limits = callLimits(call)
      return tracedCall(tracer, 'ModelInfer', call.metadata, (trace) => inferMessage(dataplane, r, {...limits, trace}), toModelInferResponse)
    }),
    ModelStreamInfer: modelStreamInfer(dataplane, context, streamMessages(streamFormat)),
    ...extensionHandlers(dataplane, context),
    ...repositoryHandlers(dataplane, context),
  }
}
