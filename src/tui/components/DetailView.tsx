/**
 * The selected model version in detail, in place of the table and events (Enter opens it, Esc or Enter closes it):
 * its state and reason, sparklines of its requests/s and p99 per poll, its rates over the window, its memory (with a
 * budget), its failed inferences by error code (since the server started, over the window, when last seen growing)
 * and its latest failure events. Metrics carry no error messages: the codes, their counts and times are what is shown.
 */
import {Box, Text} from 'ink'
import {memo} from 'react'
import {modelLabel, type DashboardEvent} from '../state/dashboard-event.js'
import type {ModelRow} from '../state/dashboard-state.js'
import {formatClock, formatCount, formatPercent, formatRate, formatSeconds} from '../state/format.js'
import type {ModelHistory} from '../state/model-history.js'
import {sparkline} from '../state/sparkline.js'
import {memoryDetail} from './SelectionLine.js'
import {stateColour} from './theme.js'

/** The row, its history, the events, the space. */
export interface DetailViewProps {
  readonly row?: ModelRow
  readonly history?: ModelHistory
  readonly events: readonly DashboardEvent[]
  readonly windowSeconds?: number
  readonly width: number
  readonly height: number
}

const LABEL = 7

function Chart({label, points, format, width}: {readonly label: string; readonly points: readonly number[]; readonly format: (value: number) => string; readonly width: number}) {
  const tail = `  now ${format(points[points.length - 1] ?? 0)}  max ${format(Math.max(0, ...points.slice(-width)))}`
  const chartWidth = Math.max(width - LABEL - tail.length, 0)
  return (
    <Text wrap="truncate-end">
      <Text color="gray">{label.padEnd(LABEL)}</Text>
      <Text color="cyan">{sparkline(points, chartWidth)}</Text>
      <Text color="gray">{tail}</Text>
    </Text>
  )
}

function DetailViewView({row, history, events, windowSeconds, width, height}: DetailViewProps) {
  if (row === undefined) return <Box height={height}><Text color="gray">no model selected</Text></Box>
  const window = windowSeconds === undefined ? 'the window' : `the last ${windowSeconds} s`
  const codes = row.errors
  const failures = events.filter((event) => event.failures?.key === row.key)
  // Rows used above the failure events: 5 fixed, memory, the codes' heading and lines, the events' heading.
  const used = 5 + (row.memory === undefined ? 0 : 1) + 2 + Math.max(codes?.length ?? 0, 1) + 1
  const shown = failures.slice(-Math.max(height - used, 0))
  return (
    <Box flexDirection="column" height={height} overflow="hidden">
      <Box justifyContent="space-between">
        <Text wrap="truncate-end">
          <Text color="cyan" bold>{modelLabel(row.name, row.version)}</Text>
          {'  '}
          <Text color={stateColour(row.state)}>{row.state}</Text>
          {row.reason ? <Text color="gray">{`  ${row.reason}`}</Text> : null}
        </Text>
        <Text color="gray">Esc / Enter: back</Text>
      </Box>
      <Chart label="req/s" points={history?.rps ?? []} format={formatRate} width={width} />
      <Chart label="p99" points={history?.p99 ?? []} format={formatSeconds} width={width} />
      <Text wrap="truncate-end" color="gray">
        {`over ${window}:  req/s ${formatRate(row.rates?.rps)}  ERR% ${formatPercent(row.rates?.errorRate)}  p50 ${formatSeconds(row.rates?.p50)}  p99 ${formatSeconds(row.rates?.p99)}  queued ${formatCount(row.queue)}`}
      </Text>
      {row.memory === undefined ? null : <Text wrap="truncate-end">{`memory ${memoryDetail(row.memory)}`}</Text>}
      <Text> </Text>
      <Text bold color="gray" wrap="truncate-end">{`ERRORS BY CODE  since the server started · over ${window} · last seen growing`}</Text>
      {codes === undefined ? (
        <Text color="gray">  - (the server does not count failures by code)</Text>
      ) : codes.length === 0 ? (
        <Text color="gray">  none</Text>
      ) : (
        codes.map((count) => (
          <Text key={count.code} wrap="truncate-end">
            {'  '}
            <Text color={count.recent > 0 ? 'red' : 'yellow'}>{count.code.padEnd(24)}</Text>
            {String(count.total).padStart(8)}
            {(count.recent > 0 ? `+${count.recent}` : '').padStart(8)}
            <Text color="gray">{`  ${count.lastSeen === undefined ? 'earlier' : formatClock(count.lastSeen)}`}</Text>
          </Text>
        ))
      )}
      <Text> </Text>
      <Text bold color="gray">RECENT FAILURES</Text>
      {shown.length === 0 ? <Text color="gray">  none seen since the dashboard started</Text> : null}
      {shown.map((event, i) => (
        <Text key={i} wrap="truncate-end">
          <Text color="gray">{`  ${formatClock(event.time)} `}</Text>
          <Text color="red">{event.text}</Text>
        </Text>
      ))}
    </Box>
  )
}

/** The detail view (memoised). */
export const DetailView = memo(DetailViewView)
