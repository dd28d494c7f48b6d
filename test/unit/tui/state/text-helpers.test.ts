/** The small text helpers of the dashboard: number formats, the sparkline, the anchored frames, the layout. */
import {describe, expect, it} from 'vitest'
import {formatPercent, formatRate, formatSeconds} from '../../../../src/tui/state/format.js'
import {dashboardLayout} from '../../../../src/tui/state/layout.js'
import {sparkline} from '../../../../src/tui/state/sparkline.js'
import {anchorFrame} from '../../../../src/tui/terminal/anchored-output.js'

describe('formats', () => {
  it('writes rates, percentages and durations short, and "-" for unknown', () => {
    expect([0, 12.345, 345.6, 12_345].map(formatRate)).toEqual(['0.0', '12.3', '346', '12.3k'])
    expect([undefined, 0, 0.0004, 0.025, 1].map(formatPercent)).toEqual(['-', '0%', '<0.1%', '2.5%', '100%'])
    expect([undefined, 0.00025, 0.00125, 0.0125, 0.125, 1.5].map(formatSeconds)).toEqual(['-', '250µs', '1.25ms', '12.5ms', '125ms', '1.50s'])
    expect(formatRate(undefined)).toBe('-')
  })
})

describe('sparkline', () => {
  it('scales to the largest value shown, right-aligned, zero the lowest block and any traffic above it', () => {
    expect(sparkline([0, 1, 4, 8], 6)).toBe('  ▁▂▅█')
    expect(sparkline([0, 0, 0], 3)).toBe('▁▁▁')
    expect(sparkline([100, 0, 1, 2], 3)).toBe('▁▅█')
    expect(sparkline([1, 2], 0)).toBe('')
  })
})

describe('anchorFrame', () => {
  const eraseLines = (n: number) => Array.from({length: n}, (_, i) => '\u001B[2K' + (i < n - 1 ? '\u001B[1A' : '')).join('') + '\u001B[G'

  it("turns Ink's erase-then-write into an in-place redraw from the top-left corner", () => {
    expect(anchorFrame(eraseLines(3) + 'a\nbb\n')).toBe('\u001B[Ha\u001B[K\nbb\u001B[K\n\u001B[J')
    expect(anchorFrame(eraseLines(1))).toBe('\u001B[H\u001B[J')
  })

  it('leaves every other write alone', () => {
    for (const chunk of ['first frame\n', '\u001B[?25l', '\u001B[?2026h', 'x\u001B[2K']) expect(anchorFrame(chunk)).toBe(chunk)
  })
})

describe('dashboardLayout', () => {
  it('fills the terminal but one row, the events taking the rest', () => {
    expect(dashboardLayout(30, 2, false)).toEqual({height: 29, tableRows: 2, eventRows: 17, logRows: 0, bodyRows: 25})
  })

  it('shares the rest between events and the log with a log pane', () => {
    const layout = dashboardLayout(40, 2, true)
    expect(layout.tableRows + layout.eventRows + layout.logRows + 10 + 1).toBe(39)
    expect(layout.logRows).toBeGreaterThan(layout.eventRows)
  })

  it('scrolls the table when there are more models than rows, and never goes negative', () => {
    expect(dashboardLayout(24, 100, false)).toMatchObject({height: 23, tableRows: 10, eventRows: 3})
    const tiny = dashboardLayout(5, 3, true)
    expect(Object.values(tiny).every((n) => n >= 0)).toBe(true)
  })
})
