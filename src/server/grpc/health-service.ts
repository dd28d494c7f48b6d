/** grpc.health.v1.Health: SERVING when the server is ready, for the server ("") and each mls service. */
import * as grpc from '@grpc/grpc-js'
import type {DataPlane} from '../../dataplane/dataplane.js'
import {boundGrpcMessage} from '../../util/bounded-message.js'

export const HEALTH_SERVICES = ['', 'inference.GRPCInferenceService', 'inference.model_repository.ModelRepositoryService']
const WATCH_INTERVAL_MS = 1000

type Status = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN'

export function healthHandlers(dataplane: DataPlane): grpc.UntypedServiceImplementation {
  const status = (service: string): Status => {
    if (!HEALTH_SERVICES.includes(service)) return 'SERVICE_UNKNOWN'
    return dataplane.ready() ? 'SERVING' : 'NOT_SERVING'
  }
  const check: grpc.handleUnaryCall<{service?: string}, {status: Status}> = (call, callback) => {
    const current = status(call.request.service ?? '')
    if (current === 'SERVICE_UNKNOWN') callback({code: grpc.status.NOT_FOUND, details: boundGrpcMessage(`unknown service "${call.request.service}"`)})
    else callback(null, {status: current})
  }
  const watch: grpc.handleServerStreamingCall<{service?: string}, {status: Status}> = (call) => {
    let last: Status | undefined
    const tick = () => {
      const current = status(call.request.service ?? '')
      if (current !== last) call.write({status: current})
      last = current
    }
    tick()
    const timer = setInterval(tick, WATCH_INTERVAL_MS)
    // A stop makes the server not ready at once: say so without waiting for the next tick.
    const unlisten = dataplane.onStop(tick)
    const stop = () => {
      clearInterval(timer)
      unlisten()
    }
    call.on('cancelled', stop)
    call.on('close', stop)
    call.on('error', stop)
  }
  return {Check: check, Watch: watch}
}
