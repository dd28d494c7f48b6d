import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {startSettings} from '../../../src/cli/start-settings.js'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

describe('grpc_stream_format', () => {
  it('is "mlserver" unless set; settings.json, MLS_GRPC_STREAM_FORMAT and --grpc-stream-format set it, in that order of precedence', () => {
    const dir = tempFolder('mls-settings-')
    expect(loadServerSettings({root: dir, env: {}}).settings.grpc_stream_format).toBe('mlserver')
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({grpc_stream_format: 'triton'}))
    expect(loadServerSettings({root: dir, env: {}}).settings.grpc_stream_format).toBe('triton')
    expect(loadServerSettings({root: dir, env: {MLS_GRPC_STREAM_FORMAT: 'mlserver'}}).settings.grpc_stream_format).toBe('mlserver')
    const flagged = startSettings({root: dir, flags: {'grpc-stream-format': 'triton'}, watch: false, env: {MLS_GRPC_STREAM_FORMAT: 'mlserver'}})
    expect(flagged.settings.grpc_stream_format).toBe('triton')
  })

  it('a bad value is a settings error naming the field, what was expected and what was found', () => {
    const dir = tempFolder('mls-settings-')
    expect(() => loadServerSettings({root: dir, env: {MLS_GRPC_STREAM_FORMAT: 'Triton'}})).toThrow(
      'environment variable MLS_GRPC_STREAM_FORMAT: expected "mlserver" or "triton" (found "Triton")',
    )
    expect(() => startSettings({root: dir, flags: {'grpc-stream-format': 'kserve'}, watch: false, env: {}})).toThrow(
      'invalid settings (SETTINGS_INVALID)\nflag --grpc-stream-format: expected "mlserver" or "triton" (found "kserve")',
    )
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({grpc_stream_format: 2}))
    expect(() => loadServerSettings({root: dir, env: {}})).toThrow(`${path.join(dir, 'settings.json')}: grpc_stream_format: expected "mlserver" or "triton" (found 2)`)
  })
})
