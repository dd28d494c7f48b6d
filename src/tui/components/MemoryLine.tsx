/**
 * The memory budget line (a server with a memory_budget only): a bar of the bytes in memory against the budget, then
 * residency hits and misses per second with the hit ratio, evictions and loads per second, over the rate window.
 */
import {Text} from 'ink'
import {memo} from 'react'
import type {MemoryView} from '../state/dashboard-state.js'
import {budgetBar, memoryText} from '../state/memory-text.js'

/** The budget and the width of the line. */
export interface MemoryLineProps {
  readonly memory: MemoryView
  readonly width: number
}

const LABEL = 'memory '
const BAR_MIN = 10
const BAR_MAX = 40

/** Green below 80%, yellow to 100%, red over (the budget allows one load over it). */
function usedColour(fraction: number): string {
  return fraction < 0.8 ? 'green' : fraction <= 1 ? 'yellow' : 'red'
}

function MemoryLineView({memory, width}: MemoryLineProps) {
  const {amount, rates} = memoryText(memory)
  const barWidth = Math.min(Math.max(width - LABEL.length - amount.length - rates.length - 3, BAR_MIN), BAR_MAX)
  const fraction = memory.used === undefined || memory.budget <= 0 ? 0 : memory.used / memory.budget
  return (
    <Text wrap="truncate-end">
      <Text color="gray">{LABEL}</Text>
      <Text color={memory.used === undefined ? 'gray' : usedColour(fraction)}>{budgetBar(fraction, barWidth)}</Text>
      {` ${amount}`}
      <Text color="gray">{`  ${rates}`}</Text>
    </Text>
  )
}

/** The memory line (memoised). */
export const MemoryLine = memo(MemoryLineView)
