/** The server's newest log lines (with `mls start --tui`), warnings and errors coloured, each cut to the width. */
import {Box, Text} from 'ink'
import {memo} from 'react'
import {logColour} from './theme.js'

/** The lines and the rows they may use. */
export interface LogPaneProps {
  readonly lines: readonly string[]
  /** Log lines that fit (the title is extra). */
  readonly height: number
}

function LogPaneView({lines, height}: LogPaneProps) {
  const shown = height > 0 ? lines.slice(-height) : []
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold color="gray">
        SERVER LOG
      </Text>
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate-end" color={logColour(line)}>
          {line}
        </Text>
      ))}
    </Box>
  )
}

/** The log pane (memoised). */
export const LogPane = memo(LogPaneView)
