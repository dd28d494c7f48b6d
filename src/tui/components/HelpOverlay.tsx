/** The key help, shown in place of the table and events until any key is pressed; sized to its lines (help-text.ts). */
import {Box, Text} from 'ink'
import {memo} from 'react'
import {helpContent, KEY_WIDTH} from '../state/help-text.js'

/** The space of the overlay and the label of q. */
export interface HelpOverlayProps {
  readonly width: number
  readonly height: number
  /** What q does here ("quit", or "stop the server and quit"). */
  readonly quitLabel: string
}

function HelpOverlayView({width, height, quitLabel}: HelpOverlayProps) {
  const content = helpContent(width, height, quitLabel)
  return (
    <Box flexDirection="column" width={content.width} height={content.height} borderStyle="round" borderColor="cyan" paddingX={1}>
      {content.lines.map((line, i) => {
        if (line.kind === 'key') {
          return (
            <Text key={i} wrap="truncate-end">
              <Text color="cyan">{line.key.padEnd(KEY_WIDTH)}</Text>
              {line.text}
            </Text>
          )
        }
        if (line.kind === 'title') return <Text key={i} bold>{line.text}</Text>
        return (
          <Text key={i} color="gray" wrap="truncate-end">
            {line.text === '' ? ' ' : line.text}
          </Text>
        )
      })}
    </Box>
  )
}

/** The help overlay (memoised). */
export const HelpOverlay = memo(HelpOverlayView)
