/**
 * MEMORY_EXHAUSTED, with the sizes that explain it. Its messages are written here, once: the version cannot fit even
 * with every unpinned version evicted, or no room came within memory_wait_timeout.
 */
import {MlsError} from '../errors.js'
import {formatBytes} from './byte-size.js'
import type {MemoryReport} from './memory-budget.js'

export class MemoryExhaustedError extends MlsError {
  constructor(
    message: string,
    /** Where the budget's bytes were when the load gave up. */
    readonly report: MemoryReport,
  ) {
    super('MEMORY_EXHAUSTED', message)
    this.name = 'MemoryExhaustedError'
  }

  /** `label` (e.g. `model "m" version "1"`) needs more than the budget less the pinned versions. */
  static neverFits(label: string, report: MemoryReport): MemoryExhaustedError {
    return new MemoryExhaustedError(
      `${label} needs ${formatBytes(report.size)} but memory_budget is ${formatBytes(report.budget)} and pinned versions hold ` +
        `${formatBytes(report.pinned)}: it cannot fit even with every unpinned version evicted`,
      report,
    )
  }

  /** `label` waited `waitedMs` (bounded by `bound`, a setting's name) and no room came. */
  static waitedTooLong(label: string, waitedMs: number, bound: string, report: MemoryReport): MemoryExhaustedError {
    const held = [
      `${formatBytes(Math.max(0, report.free))} free`,
      `${formatBytes(report.inUse)} held by versions serving requests`,
      `${formatBytes(report.recent)} by versions loaded or used within the minimum residency`,
      `${formatBytes(report.loading)} by loads in progress`,
      `${formatBytes(report.evicting)} being evicted`,
      `${formatBytes(report.pinned)} pinned`,
    ]
    return new MemoryExhaustedError(
      `${label} waited ${(waitedMs / 1000).toFixed(1)} s (${bound}) for ${formatBytes(report.size)} of memory_budget ${formatBytes(report.budget)}: ${held.join(', ')}`,
      report,
    )
  }
}
