/**
 * The dashboard's data: polls the source on one timer (the next poll is scheduled when the last one has finished, so
 * polls never pile up), advances the DashboardView, and re-renders only when the view changed. `refresh` polls now;
 * `load` / `unload` run the action, note it and its outcome as events, then poll. Events the source tells of itself
 * join the list as they come. Stops polling and listening on unmount.
 */
import {useCallback, useEffect, useRef, useState} from 'react'
import type {MonitorSource} from '../sources/monitor-source.js'
import type {DashboardEvent} from '../state/dashboard-event.js'
import {advance, defaultWindowMs, initialMemory, sameView, withEvent, type DashboardMemory, type DashboardView} from '../state/dashboard-state.js'

/** How often to poll, over what span to compute rates. */
export interface DashboardOptions {
  /** Time between polls, ms. */
  readonly intervalMs: number
  /** Span of the rates and latencies, ms (default: 5 polls, at least 5 s). */
  readonly windowMs?: number
  /** Wall clock for event times (tests fix it). */
  readonly clock?: () => number
}

/** The current view and the actions on it. */
export interface DashboardData {
  readonly view: DashboardView
  refresh(): void
  load(name: string): void
  unload(name: string): void
}

/** Polls `source` every `intervalMs` while mounted. */
export function useDashboard(source: MonitorSource, options: DashboardOptions): DashboardData {
  const {intervalMs} = options
  const clock = options.clock ?? Date.now
  const memory = useRef<DashboardMemory>(initialMemory(source, options.windowMs ?? defaultWindowMs(intervalMs)))
  const [view, setView] = useState(memory.current.view)
  const pollNow = useRef<() => void>(() => {})

  const publish = useCallback((next: DashboardMemory) => {
    memory.current = next
    setView((previous) => (sameView(previous, next.view) ? previous : next.view))
  }, [])

  useEffect(() => {
    let stopped = false
    let polling = false
    let again = false
    let timer: NodeJS.Timeout | undefined
    const poll = async () => {
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
      if (polling) {
        again = true
        return
      }
      polling = true
      try {
        const snapshot = await source.snapshot({metadata: memory.current.view.server === undefined})
        if (!stopped) publish(advance(memory.current, snapshot, clock()))
      } catch (error) {
        // A source reports failed endpoints in the snapshot; a throw is a fault of its own: shown, and polled again.
        if (!stopped) publish(withEvent(memory.current, {time: clock(), level: 'error', text: `poll failed: ${(error as Error).message}`}))
      } finally {
        polling = false
        if (!stopped) timer = setTimeout(() => void poll(), again ? 0 : intervalMs)
        again = false
      }
    }
    pollNow.current = () => void poll()
    void poll()
    return () => {
      stopped = true
      pollNow.current = () => {}
      if (timer !== undefined) clearTimeout(timer)
    }
    // The clock is only read: a new one need not restart polling.
  }, [source, intervalMs, publish])

  // What the source tells of itself (the --watch watcher) joins the event list as it happens.
  useEffect(() => source.subscribe?.((event) => publish(withEvent(memory.current, {time: clock(), ...event}))), [source, publish])

  const note = useCallback((level: DashboardEvent['level'], text: string) => publish(withEvent(memory.current, {time: clock(), level, text})), [publish, clock])

  const act = useCallback(
    (verb: 'load' | 'unload', name: string) => {
      note('info', `${verb} ${name}: requested`)
      source[verb](name).then(
        () => note('ok', `${verb} ${name}: done`),
        (error: Error) => note('error', `${verb} ${name} failed: ${error.message}`),
      ).finally(() => pollNow.current())
      pollNow.current()
    },
    [source, note],
  )

  return {
    view,
    refresh: useCallback(() => pollNow.current(), []),
    load: useCallback((name: string) => act('load', name), [act]),
    unload: useCallback((name: string) => act('unload', name), [act]),
  }
}
