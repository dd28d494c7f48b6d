/** What `mls start` decides before serving: flags over settings.json, the refusals (exit 2), and the dashboard. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {CliError} from '../../../src/cli/cli-error.js'
import {dashboardChoice, settingsOfFlags, startSettings} from '../../../src/cli/start-settings.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, {recursive: true, force: true})))

function repoWith(settings: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mls-start-'))
  dirs.push(dir)
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings))
  return dir
}

function refusal(run: () => unknown): CliError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(CliError)
    return error as CliError
  }
  throw new Error('expected a refusal')
}

describe('settingsOfFlags', () => {
  it('keys the settings flags by settings field and leaves the others out', () => {
    const flags = {'http-port': 9000, 'strict-readiness': false, 'infer-timeout': '2.5', 'memory-budget': '512MiB', tui: true, watch: true}
    const layer = settingsOfFlags(flags)
    expect(layer).toMatchObject({http_port: 9000, strict_readiness: false, infer_timeout: '2.5', memory_budget: '512MiB', host: undefined})
    expect(Object.keys(layer)).toHaveLength(25)
    expect(settingsOfFlags({'gzip-enabled': false, 'gzip-minimum-size': 0})).toMatchObject({gzip_enabled: false, gzip_minimum_size: 0})
    expect(layer).not.toHaveProperty('tui')
    expect(layer).not.toHaveProperty('watch')
  })
})

describe('startSettings', () => {
  it('flags win over settings.json', () => {
    const root = repoWith({http_port: 9100, grpc_port: 9101})
    const {settings, file} = startSettings({root, flags: {'http-port': 9200}, watch: false, env: {}})
    expect(file).toBe(path.join(root, 'settings.json'))
    expect(settings).toMatchObject({http_port: 9200, grpc_port: 9101})
  })

  it('refuses invalid settings with exit 2, naming the file and the field', () => {
    const root = repoWith({http_port: 'x'})
    const error = refusal(() => startSettings({root, flags: {}, watch: false, env: {}}))
    expect(error.exitCode).toBe(2)
    expect(error.message).toBe(`invalid settings (SETTINGS_INVALID)\n${path.join(root, 'settings.json')}: http_port: expected number, found "x"`)
  })

  it('refuses --watch with more than one process (exit 2), wherever processes comes from', () => {
    const root = repoWith({processes: 2})
    expect(refusal(() => startSettings({root, flags: {}, watch: true, env: {}})).message).toMatch(/^--watch works with one process, and processes is 2;/)
    expect(refusal(() => startSettings({root, flags: {processes: 3}, watch: true, env: {}})).exitCode).toBe(2)
    expect(startSettings({root, flags: {}, watch: false, env: {}}).settings.processes).toBe(2)
    expect(startSettings({root, flags: {processes: 1}, watch: true, env: {}}).settings.processes).toBe(1)
  })
})

describe('dashboardChoice', () => {
  it('shows the dashboard for --tui with one process on a terminal, and says why not otherwise', () => {
    expect(dashboardChoice(false, 1, true)).toEqual({show: false})
    expect(dashboardChoice(true, 1, true)).toEqual({show: true})
    expect(dashboardChoice(true, 2, true)).toEqual({show: false, warning: '--tui is not available with more than one process: serving without the dashboard'})
    expect(dashboardChoice(true, 1, false)).toEqual({show: false, warning: '--tui needs a terminal on stdin and stdout: serving without the dashboard'})
  })
})
