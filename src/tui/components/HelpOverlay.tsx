/** The key help, shown in place of the table and events until any key is pressed. */
import {Box, Text} from 'ink'
import {memo} from 'react'

/** Height of the overlay and the label of q. */
export interface HelpOverlayProps {
  readonly height: number
  /** What q does here ("quit", or "stop the server and quit"). */
  readonly quitLabel: string
}

function HelpOverlayView({height, quitLabel}: HelpOverlayProps) {
  const keys: Array<[string, string]> = [
    ['↑ ↓  j k', 'select a model (PgUp / PgDn: 10 at a time)'],
    ['l', 'load (or reload) the selected model'],
    ['u', 'unload the selected model (asks to confirm: y / Enter)'],
    ['r', 'refresh now'],
    ['/', 'filter models by name or version (Enter keeps it, Esc clears it)'],
    ['Esc', 'clear the filter'],
    ['?', 'this help'],
    ['q  Ctrl+C', quitLabel],
  ]
  return (
    <Box flexDirection="column" height={height} borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>Keys</Text>
      {keys.map(([key, what]) => (
        <Text key={key} wrap="truncate-end">
          <Text color="cyan">{key.padEnd(12)}</Text>
          {what}
        </Text>
      ))}
      <Text> </Text>
      <Text color="gray">
        Rates and latencies (p50, p99) cover the last few polls, from the server's metrics. INFL/Q: REST inferences in flight
        (all models) / requests queued for a batch or a worker; "-" where the server does not say. With a memory budget:
        SIZE is each version's memory ("~" estimated), the memory line the bytes in memory against the budget and the
        requests that found their version in memory (hits) or waited for its load (misses), evictions and loads per second.
      </Text>
      <Text color="gray">Press any key to close.</Text>
    </Box>
  )
}

/** The help overlay (memoised). */
export const HelpOverlay = memo(HelpOverlayView)
