/** The top two lines: which server, whether it answers, where its endpoints are, the table's order, the refresh rhythm. */
import {Box, Text} from 'ink'
import {memo} from 'react'
import type {DashboardView} from '../state/dashboard-state.js'
import {formatCount} from '../state/format.js'
import {sortText, type SortOrder} from '../state/sort.js'

/** The view, the poll interval, the title. */
export interface HeaderProps {
  readonly view: DashboardView
  readonly intervalMs: number
  /** Shown first, e.g. "mls start" (the command that owns the screen). */
  readonly title?: string
  /** The order of the table, said on the right. */
  readonly sort: SortOrder
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))}s`

function Status({view}: {readonly view: DashboardView}) {
  if (!view.polled) return <Text color="gray">connecting…</Text>
  if (!view.reachable) return <Text color="red">● unreachable ({view.error ?? 'no answer'})</Text>
  return (
    <Text>
      <Text color="green">● live</Text>
      {view.ready === undefined ? null : view.ready ? <Text color="green">  ready</Text> : <Text color="yellow">  not ready</Text>}
    </Text>
  )
}

function HeaderView({view, intervalMs, title, sort}: HeaderProps) {
  const name = view.server ? `${view.server.name} ${view.server.version}` : 'server'
  const rhythm = `sort ${sortText(sort)} · every ${seconds(intervalMs)}${view.windowSeconds === undefined ? '' : ` · rates over ${seconds(view.windowSeconds * 1000)}`}`
  return (
    <Box flexDirection="column">
      <Box justifyContent="space-between">
        <Text wrap="truncate-end">
          {title ? <Text color="cyan">{title}  </Text> : null}
          <Text bold>{name}</Text>
          {'  '}
          <Status view={view} />
          {view.total?.inFlight === undefined ? null : <Text>{`  in-flight ${formatCount(view.total.inFlight)}`}</Text>}
        </Text>
        <Text color="gray">{`  ${rhythm}`}</Text>
      </Box>
      <Text wrap="truncate-end" color="gray">
        REST <Text color="white">{view.url}</Text>
        {'   metrics '}
        <Text color="white">{view.metricsUrl}</Text>
        {view.metricsError === undefined ? null : <Text color="yellow">{` unavailable (${view.metricsError})`}</Text>}
      </Text>
    </Box>
  )
}

/** The header (memoised). */
export const Header = memo(HeaderView)
