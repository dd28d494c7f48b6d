/** The terminal's size, updated when it is resized (subscribes to the output stream's `resize` event, and cleans up). */
import {useStdout} from 'ink'
import {useEffect, useState} from 'react'

/** Columns and rows. */
export interface TerminalSize {
  readonly columns: number
  readonly rows: number
}

/** Used when the stream does not say (not a terminal, or a test's fake stream). */
export const FALLBACK_SIZE: TerminalSize = {columns: 100, rows: 30}

const sizeOf = (stdout: NodeJS.WriteStream): TerminalSize => ({
  columns: stdout.columns || FALLBACK_SIZE.columns,
  rows: stdout.rows || FALLBACK_SIZE.rows,
})

/** The size of Ink's output stream, re-read on each resize. */
export function useTerminalSize(): TerminalSize {
  const {stdout} = useStdout()
  const [size, setSize] = useState(() => sizeOf(stdout))
  useEffect(() => {
    const onResize = () => {
      const next = sizeOf(stdout)
      setSize((previous) => (previous.columns === next.columns && previous.rows === next.rows ? previous : next))
    }
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout])
  return size
}
