// Small helpers shared by the bench modules.
import {execFileSync, spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const root = fileURLToPath(new URL('../..', import.meta.url))

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const UNIT_MS = {us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3}
/** "812us", "3.13ms", "1.2s" (wrk and h2load latency cells) -> milliseconds. */
export function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text ?? '')
  if (!match) throw new Error(`cannot parse latency "${text}"`)
  return Number(match[1]) * UNIT_MS[match[2]]
}

export function git(...args) {
  try {
    return execFileSync('git', args, {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    return null
  }
}

/** First line of `tool --version`, or undefined when the tool is not installed. */
export function toolVersion(tool) {
  const result = spawnSync(tool, ['--version'], {encoding: 'utf8'})
  if (result.error) return undefined
  return `${result.stdout}${result.stderr}`.split('\n').find(Boolean)?.trim() ?? tool
}
