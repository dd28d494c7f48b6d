/** The bundled templates, filled, are files `mls start` reads without an error or a warning. */
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {placeholders} from '../../../src/init/fill-template.js'
import {TEMPLATES_DIR} from '../../../src/init/package-paths.js'
import {RUNTIMES} from '../../../src/init/runtimes.js'
import {renderModelSettings, renderSettings} from '../../../src/init/templates.js'
import {loadModelSettings} from '../../../src/settings/load-model-settings.js'
import {loadServerSettings} from '../../../src/settings/load-server-settings.js'
import {readTestSet} from '../../../src/testing/test-set.js'
import {tempFolders} from '../../temp-folders.js'

const tempFolder = tempFolders()

function repo(): string {
  return tempFolder('mls-init-templates-')
}

describe('templates/', () => {
  it('has one model-settings template per built-in runtime, and nothing else there', () => {
    expect(readdirSync(path.join(TEMPLATES_DIR, 'model-settings')).sort()).toEqual(RUNTIMES.filter((r) => r !== 'custom').map((r) => `${r}.json`).sort())
  })

  it('custom/ has the model-settings template, the runtime and its test set; only model-settings.json has placeholders', () => {
    expect(readdirSync(path.join(TEMPLATES_DIR, 'custom')).sort()).toEqual(['README.md', 'model-settings.json', 'runtime.ts', 'test-set.json'])
    expect(placeholders(readFileSync(path.join(TEMPLATES_DIR, 'custom/model-settings.json'), 'utf8')).sort()).toEqual(['name', 'version'])
    expect(placeholders(readFileSync(path.join(TEMPLATES_DIR, 'custom/runtime.ts'), 'utf8'))).toEqual([])
  })

  it('custom/test-set.json is a test set for the model-settings.json inputs and outputs', async () => {
    const set = await readTestSet(path.join(TEMPLATES_DIR, 'custom/test-set.json'))
    const declared = JSON.parse(renderModelSettings('custom', {name: 'm', uri: ''}))
    expect(set.request.inputs.map((i) => [i.name, i.datatype])).toEqual(declared.inputs.map((i: {name: string; datatype: string}) => [i.name, i.datatype]))
    expect(Object.keys(set.expected)).toEqual(declared.outputs.map((o: {name: string}) => o.name))
  })

  it('settings.json uses exactly host and the three ports', () => {
    expect(placeholders(readFileSync(path.join(TEMPLATES_DIR, 'settings.json'), 'utf8')).sort()).toEqual(['grpc_port', 'host', 'http_port', 'metrics_port'])
  })

  it('settings.json, filled, loads with those values and no warning', () => {
    const dir = repo()
    writeFileSync(path.join(dir, 'settings.json'), renderSettings({host: '127.0.0.1', http_port: 9000, grpc_port: 9001, metrics_port: 9002}))
    const {settings, warnings} = loadServerSettings({root: dir, env: {}})
    expect(warnings).toEqual([])
    expect(settings).toMatchObject({host: '127.0.0.1', http_port: 9000, grpc_port: 9001, metrics_port: 9002, debug: false})
  })

  for (const runtime of RUNTIMES) {
    it(`model-settings/${runtime}.json, filled, loads as that runtime with the name and version`, () => {
      const folder = path.join(repo(), 'models', 'm')
      mkdirSync(folder, {recursive: true})
      const file = path.join(folder, 'model-settings.json')
      writeFileSync(file, renderModelSettings(runtime, {name: 'm', version: 'v1', uri: './model.json'}))
      const {settings, warnings} = loadModelSettings(file)
      expect(warnings).toEqual([])
      expect(settings).toMatchObject({name: 'm', implementation: runtime === 'custom' ? './runtime.ts' : runtime, version: 'v1'})
      if (runtime === 'xgboost') expect(settings.uri).toBe(path.join(folder, 'model.json'))
      else expect(settings.uri).toBeUndefined()
    })

    it(`model-settings/${runtime}.json without a version has no parameters.version`, () => {
      const json = JSON.parse(renderModelSettings(runtime, {name: 'm', uri: './model.json'}))
      expect(json.parameters?.version).toBeUndefined()
      expect(json.name).toBe('m')
    })
  }
})
