/** The newest events that fit, oldest of them first: time, then what happened, coloured by level. */
import {Box, Text} from 'ink'
import {memo} from 'react'
import type {DashboardEvent} from '../state/dashboard-event.js'
import {formatClock} from '../state/format.js'
import {levelColour} from './theme.js'

/** The events and the lines they may use. */
export interface EventListProps {
  readonly events: readonly DashboardEvent[]
  /** Event lines that fit (the title is extra). */
  readonly height: number
}

function EventListView({events, height}: EventListProps) {
  const shown = height > 0 ? events.slice(-height) : []
  return (
    <Box flexDirection="column" height={height + 1}>
      <Text bold color="gray">
        EVENTS
      </Text>
      {shown.map((event, i) => (
        <Text key={events.length - shown.length + i} wrap="truncate-end">
          <Text color="gray">{formatClock(event.time)} </Text>
          <Text color={levelColour(event.level)}>{event.text}</Text>
        </Text>
      ))}
    </Box>
  )
}

/** The event list (memoised: it renders again only when the events or the height change). */
export const EventList = memo(EventListView)
