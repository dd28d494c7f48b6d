import {readdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {runtimeDir} from '../../../src/running/runtime-dir.js'
import {processStartOf} from '../../../src/running/process-start.js'
import {readRunningServers, runtimeFileOf, writeRuntimeFile, type RuntimeInfo} from '../../../src/running/runtime-file.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()
const info = (pid: number): RuntimeInfo => ({
  pid,
  rest_url: 'http://127.0.0.1:1',
  grpc_address: '127.0.0.1:2',
  docs_url: 'http://127.0.0.1:1/v2/docs',
  repository_root: '/r',
  started_at: '2026-01-01T00:00:00.000Z',
  mls_version: '0.1.0',
})

describe('runtime files', () => {
  it('the folder: MLS_RUNTIME_DIR, else $XDG_RUNTIME_DIR/mls, else the data folder', () => {
    expect(runtimeDir({MLS_RUNTIME_DIR: '/a', XDG_RUNTIME_DIR: '/run/user/1'})).toBe('/a')
    expect(runtimeDir({XDG_RUNTIME_DIR: '/run/user/1'})).toBe('/run/user/1/mls')
    expect(runtimeDir({XDG_DATA_HOME: '/d'})).toBe('/d/mls/runtime')
    expect(runtimeDir({})).toMatch(/\.local\/share\/mls\/runtime$|mls-/)
  })

  it('reads only well-formed files of live pids named mls-<pid>.json; leaves no temporary file behind', () => {
    const dir = path.join(tempFolder('mls-rt-'), 'runtime')
    writeRuntimeFile(dir, info(process.pid))
    writeFileSync(runtimeFileOf(dir, process.ppid), '{"pid": "not a number"}')
    writeFileSync(path.join(dir, 'notes.txt'), 'x')
    expect(readRunningServers(dir, () => true)).toEqual([{...info(process.pid), file: runtimeFileOf(dir, process.pid)}])
    expect(readdirSync(dir).sort()).toEqual([`mls-${process.pid}.json`, `mls-${process.ppid}.json`, 'notes.txt'].sort())
    // A file whose pid is not alive is removed; the malformed one of a live pid is left (a newer mls's, maybe).
    expect(readRunningServers(dir, (pid) => pid !== process.pid)).toEqual([])
    expect(readdirSync(dir).sort()).toEqual([`mls-${process.ppid}.json`, 'notes.txt'])
  })

  it.skipIf(process.platform !== 'linux')('a live pid that started at another time than the server that wrote the file (reused): stale, removed', () => {
    const dir = path.join(tempFolder('mls-rt-'), 'runtime')
    const mine = processStartOf(process.pid)
    expect(mine).toMatch(/^\d+$/)
    // The parent started before this process (or in the same tick): its start is never after ours.
    expect(Number(processStartOf(process.ppid))).toBeLessThanOrEqual(Number(mine))
    writeRuntimeFile(dir, {...info(process.pid), process_started: mine})
    expect(readRunningServers(dir).map((s) => s.pid)).toEqual([process.pid])
    writeRuntimeFile(dir, {...info(process.pid), process_started: String(Number(mine) + 1)})
    expect(readRunningServers(dir)).toEqual([])
    expect(readdirSync(dir)).toEqual([])
    // A file without the field (another system, an older mls): the pid's liveness alone decides.
    writeRuntimeFile(dir, info(process.pid))
    expect(readRunningServers(dir).map((s) => s.pid)).toEqual([process.pid])
  })
})
