/**
 * The inference requests the data plane is answering: counted so a graceful stop knows when they are done, and
 * aborted all at once when the stop's grace period runs out. A list linked through the scopes themselves: adding and
 * removing allocate nothing and hash nothing, which matters on every request's path.
 */
import type {MlsError} from '../errors.js'
import {IdleWaiters} from '../util/idle-waiters.js'
import type {RequestScope} from './request-scope.js'

export class InflightRequests {
  private head?: RequestScope
  private count = 0
  private readonly idle = new IdleWaiters()

  get size(): number {
    return this.count
  }

  add(scope: RequestScope): void {
    scope.prev = undefined
    scope.next = this.head
    if (this.head !== undefined) this.head.prev = scope
    this.head = scope
    this.count++
  }

  /** Removes a scope added before (once). */
  delete(scope: RequestScope): void {
    if (scope.prev !== undefined) scope.prev.next = scope.next
    else if (this.head === scope) this.head = scope.next
    else return // not in the list
    if (scope.next !== undefined) scope.next.prev = scope.prev
    scope.prev = scope.next = undefined
    this.count--
    if (this.count === 0) this.idle.wake()
  }

  /** Resolves once no request is in flight. */
  drained(): Promise<void> {
    return this.idle.wait(this.count === 0)
  }

  /** Fails the requests in flight that `which` picks with `reason`; returns how many. */
  abortWhere(which: (scope: RequestScope) => boolean, reason: MlsError): number {
    const scopes: RequestScope[] = []
    for (let scope = this.head; scope !== undefined; scope = scope.next) if (which(scope)) scopes.push(scope)
    for (const scope of scopes) scope.abort(reason)
    return scopes.length
  }

  /** Fails every request in flight with `reason`; returns how many there were. */
  abortAll(reason: MlsError): number {
    return this.abortWhere(() => true, reason)
  }
}
