/** The memory budget as text, for the dashboard's memory line and the plain report: amounts, rates, a bar. */
import {formatBytes} from '../../memory/byte-size.js'
import type {MemoryView} from './dashboard-state.js'
import {formatPercent, formatRate} from './format.js'

/** A bar `width` cells wide, `fraction` of it full (over 1: full). */
export function budgetBar(fraction: number, width: number): string {
  const full = Math.round(Math.min(Math.max(fraction, 0), 1) * width)
  return '█'.repeat(full) + '░'.repeat(Math.max(width - full, 0))
}

/**
 * Used / budget with the percentage ("412 MiB / 512 MiB (80%)"), and the rates, most wanted first so that a narrow
 * line loses the least ("-" until two scrapes).
 */
export function memoryText(memory: MemoryView): {amount: string; rates: string} {
  const used = memory.used === undefined ? '-' : formatBytes(memory.used)
  const percent = memory.used === undefined || memory.budget <= 0 ? '' : ` (${Math.round((memory.used / memory.budget) * 100)}%)`
  const r = memory.rates
  const rates = `hits ${formatRate(r?.hitsPerSecond)}/s  misses ${formatRate(r?.missesPerSecond)}/s (${formatPercent(r?.hitRatio)} hit)  evictions ${formatRate(r?.evictionsPerSecond)}/s  loads ${formatRate(r?.loadsPerSecond)}/s`
  return {amount: `${used} / ${formatBytes(memory.budget)}${percent}`, rates}
}
