/** The sparkline of total requests/s, one point per poll, with the latest and the highest value shown. */
import {Text} from 'ink'
import {memo} from 'react'
import {formatRate} from '../state/format.js'
import {sparkline} from '../state/sparkline.js'

/** The history, the width, and whether a rate is known. */
export interface RateLineProps {
  readonly history: readonly number[]
  readonly width: number
  /** False until two scrapes have given a rate. */
  readonly known: boolean
  /** Why there is no rate (metrics unavailable). */
  readonly missing?: string
}

const LABEL = 'req/s '

function RateLineView({history, width, known, missing}: RateLineProps) {
  if (!known || missing !== undefined || history.length === 0) {
    return (
      <Text wrap="truncate-end" color="gray">
        {LABEL}
        {missing === undefined ? 'waiting for a second scrape…' : `unknown: metrics unavailable (${missing})`}
      </Text>
    )
  }
  const latest = history[history.length - 1]
  const tail = `  now ${formatRate(latest)}  max ${formatRate(Math.max(...history.slice(-width)))}`
  const chartWidth = Math.max(width - LABEL.length - tail.length, 0)
  return (
    <Text wrap="truncate-end">
      <Text color="gray">{LABEL}</Text>
      <Text color="cyan">{sparkline(history, chartWidth)}</Text>
      <Text color="gray">{tail}</Text>
    </Text>
  )
}

/** The rate line (memoised). */
export const RateLine = memo(RateLineView)
