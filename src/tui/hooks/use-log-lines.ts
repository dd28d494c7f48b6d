/**
 * The lines of a log source, re-read at most every `throttleMs` (a busy server with access logs writes thousands of
 * lines a second; the pane need not render each). Subscribes on mount and cleans up its subscription and timer.
 */
import {useEffect, useState} from 'react'
import type {LogSource} from '../sources/log-buffer.js'

const NONE: readonly string[] = []

/** The lines of `source` (none without one), updated at most every `throttleMs`. */
export function useLogLines(source: LogSource | undefined, throttleMs = 200): readonly string[] {
  const [lines, setLines] = useState(() => source?.lines() ?? NONE)
  useEffect(() => {
    if (source === undefined) return
    let timer: NodeJS.Timeout | undefined
    const flush = () => {
      timer = undefined
      setLines(source.lines())
    }
    const unsubscribe = source.subscribe(() => {
      timer ??= setTimeout(flush, throttleMs)
    })
    flush()
    return () => {
      unsubscribe()
      if (timer !== undefined) clearTimeout(timer)
    }
  }, [source, throttleMs])
  return lines
}
