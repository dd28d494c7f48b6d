/**
 * Connections handed to a worker process that died before taking them are handed to another one.
 *
 * Under node:cluster's round robin the primary accepts each connection and sends its handle to a worker over IPC; the
 * worker answers with an ack ("accepted"), and only then does the primary close its copy. A worker that dies between
 * the two (SIGKILL, a crash) never acks: node leaves the handle open in the primary and nobody serves it, so the
 * client waits for an answer that never comes (about one connection per kill under load).
 *
 * This is the one file that relies on Node internals (checked on Node 20, lib/internal/cluster/round_robin_handle.js
 * and utils.js): the handoff is `worker.process.send({cmd: 'NODE_CLUSTER', act: 'newconn', seq}, handle)`, the ack
 * arrives as the 'internalMessage' `{cmd: 'NODE_CLUSTER', ack: seq, accepted}`, and an ack with `accepted: false`
 * makes the round robin hand the handle to another worker (what it does for a worker that is closing its server).
 * When the dead worker's IPC channel is closed (every message it sent has been read by then), each handoff it never
 * acked is answered `accepted: false` in its name; when no other worker serves, the handle is closed instead (the
 * client sees the connection close rather than waiting forever). Should the internals change, the wrap sees no
 * handoff and nothing happens: node's own behaviour is left as it was.
 */
import type {Worker} from 'node:cluster'

interface ClusterMessage {
  readonly cmd?: unknown
  readonly act?: unknown
  readonly seq?: unknown
  readonly ack?: unknown
}

interface RawHandle {
  close(): void
}

type Send = (message: unknown, handle?: unknown, ...rest: unknown[]) => boolean

const isCluster = (message: unknown): message is ClusterMessage => typeof message === 'object' && message !== null && (message as ClusterMessage).cmd === 'NODE_CLUSTER'

/**
 * Watches the connections the primary hands to `worker` (call right after cluster.fork); `othersServe` says whether
 * another worker serves the ports (then a connection the dead one never took goes to it, else it is closed).
 */
export function rescueHandoffs(worker: Worker, othersServe: () => boolean): void {
  const child = worker.process as unknown as NodeJS.EventEmitter & {send: Send}
  const unacked = new Map<number, RawHandle>()
  const send = child.send
  child.send = function (this: unknown, message: unknown, handle?: unknown, ...rest: unknown[]): boolean {
    if (handle !== undefined && handle !== null && isCluster(message) && message.act === 'newconn' && typeof message.seq === 'number') {
      unacked.set(message.seq, handle as RawHandle)
    }
    return send.call(this, message, handle, ...rest)
  }
  child.on('internalMessage', (message: unknown) => {
    if (isCluster(message) && typeof message.ack === 'number') unacked.delete(message.ack)
  })
  // After node:cluster's own listeners (added by fork, before these): once the channel is closed, node:cluster has
  // taken the worker out of the round robin, so a handle given back goes to another worker. The channel's end is
  // 'disconnect', or 'exit' with the channel no longer connected: node postpones 'disconnect' for ever while a
  // handle it sent waits for the dead worker's NODE_HANDLE_ACK, which is exactly the case here.
  const rescue = (): void => {
    const left = [...unacked]
    unacked.clear()
    if (left.length === 0) return
    const redistribute = othersServe()
    for (const [seq, handle] of left) {
      if (redistribute) child.emit('internalMessage', {cmd: 'NODE_CLUSTER', ack: seq, accepted: false})
      else handle.close()
    }
  }
  child.once('disconnect', rescue)
  child.once('exit', () => {
    if (!(child as unknown as {connected: boolean}).connected) rescue()
  })
}
