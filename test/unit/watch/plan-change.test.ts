/**
 * The watcher's decisions as data, with no files, timers or registry: what a settled model-settings.json leads to, what
 * happens to a version its file no longer defines, and how each step is worded (the same text the e2e test reads).
 */
import {describe, expect, it} from 'vitest'
import type {ModelState} from '../../../src/protocol/types.js'
import type {ModelSpec} from '../../../src/repository/discover.js'
import type {ModelSettings} from '../../../src/settings/model-settings.js'
import {planChange, planRetire, type ChangeFacts, type VersionView} from '../../../src/watch/plan-change.js'
import {after, before, causeText} from '../../../src/watch/watch-text.js'

const spec = (name: string, version?: string, file = `${name}/model-settings.json`): ModelSpec => ({
  ok: true,
  name,
  version,
  file: `/repo/${file}`,
  settings: {name, version} as ModelSettings,
  warnings: [],
})
const broken = (name: string, version?: string): ModelSpec => ({ok: false, name, version, file: `/repo/${name}/model-settings.json`, error: 'not valid JSON'})
const entry = (name: string, version?: string, state: ModelState = 'READY', reason = ''): VersionView => ({name, version, state, reason})
const facts = (given: Partial<ChangeFacts<VersionView>>): ChangeFacts<VersionView> => ({file: 'a/model-settings.json', now: undefined, current: undefined, changed: [], ...given})

describe('planChange', () => {
  it('a new file loads its version', () => {
    const now = spec('a')
    expect(planChange(facts({now}))).toEqual([{kind: 'load', spec: now, cause: {kind: 'added', file: 'a/model-settings.json'}}])
  })

  it('a changed file of a serving version reloads it rolling, with the changed paths as the cause', () => {
    const current = entry('a', 'v1')
    const now = spec('a', 'v1')
    const changed = ['a/model.onnx', 'a/vocab.txt']
    expect(planChange(facts({now, current, changed}))).toEqual([{kind: 'reload', entry: current, spec: now, serving: true, cause: {kind: 'changed', paths: changed}}])
  })

  it('a broken file keeps the identity of the version it defined, so that version is reloaded (and keeps serving when it fails)', () => {
    const current = entry('a', 'v1')
    const now = broken('a-guess')
    const [step] = planChange(facts({now, current, changed: ['a/model-settings.json']}))
    expect(step).toMatchObject({kind: 'reload', entry: current, spec: now, serving: true})
  })

  it('a version that failed to load is loaded again, not reloaded', () => {
    const current = entry('a', undefined, 'UNAVAILABLE', 'load failed: x')
    expect(planChange(facts({now: spec('a'), current}))).toMatchObject([{kind: 'reload', serving: false}])
  })

  it('leaves alone a version unloaded on purpose or never loaded', () => {
    for (const current of [entry('a', undefined, 'UNAVAILABLE', 'unloaded'), entry('a', undefined, 'UNKNOWN')]) {
      expect(planChange(facts({now: spec('a'), current}))).toMatchObject([{kind: 'leave', entry: current}])
    }
  })

  it('a file that names another version loads it, then retires the one it defined', () => {
    const current = entry('a', 'v1')
    const now = spec('a', 'v2')
    expect(planChange(facts({now, current}))).toEqual([
      {kind: 'load', spec: now, cause: {kind: 'redefined', file: 'a/model-settings.json', was: {name: 'a', version: 'v1'}, now: {name: 'a', version: 'v2'}}},
      {kind: 'retire', entry: current, cause: {kind: 'no-longer-defines', file: 'a/model-settings.json'}},
    ])
  })

  it('a new file naming a version another existing file defines is ignored; if that file is gone, it is loaded', () => {
    const now = spec('a', undefined, 'copy/model-settings.json')
    const other = {entry: entry('a'), file: 'a/model-settings.json', fileExists: true}
    expect(planChange(facts({file: 'copy/model-settings.json', now, other}))).toEqual([{kind: 'ignore', spec: now, file: 'copy/model-settings.json', definedBy: 'a/model-settings.json'}])
    expect(planChange(facts({file: 'copy/model-settings.json', now, other: {...other, fileExists: false}}))).toMatchObject([{kind: 'load', spec: now}])
  })

  it('a file that now names a version another file defines is ignored, and the version it defined is retired', () => {
    const current = entry('b')
    const other = {entry: entry('a'), file: 'a/model-settings.json', fileExists: true}
    expect(planChange(facts({file: 'b/model-settings.json', now: spec('a', undefined, 'b/model-settings.json'), current, other})).map((s) => s.kind)).toEqual(['ignore', 'retire'])
  })

  it('a file gone retires its version; a file gone that defined nothing does nothing', () => {
    const current = entry('a')
    expect(planChange(facts({current}))).toEqual([{kind: 'retire', entry: current, cause: {kind: 'gone', file: 'a/model-settings.json'}}])
    expect(planChange(facts({}))).toEqual([])
  })
})

describe('planRetire', () => {
  const gone = {kind: 'gone', file: 'a/model-settings.json'} as const
  const heir = {spec: spec('a', undefined, 'copy/model-settings.json'), file: 'copy/model-settings.json'}

  it('with no other file defining the version, removes it', () => {
    const current = entry('a')
    expect(planRetire(current, gone, undefined)).toEqual({kind: 'remove', entry: current, cause: gone})
  })

  it('another file defining it takes it over: rolling when it serves, quietly when it is not loaded', () => {
    const serving = entry('a')
    expect(planRetire(serving, gone, heir)).toEqual({kind: 'reload', entry: serving, spec: heir.spec, serving: true, cause: {kind: 'handed-over', cause: gone, heir: 'copy/model-settings.json'}})
    const unloaded = entry('a', undefined, 'UNAVAILABLE', 'unloaded')
    expect(planRetire(unloaded, gone, heir)).toEqual({kind: 'adopt', entry: unloaded, heir, cause: gone})
  })
})

describe('watch wording', () => {
  it('says the cause in a few words', () => {
    expect(causeText({kind: 'changed', paths: ['a/model.onnx']})).toBe('a/model.onnx changed')
    expect(causeText({kind: 'changed', paths: ['a/x', 'a/y', 'a/z']})).toBe('a/x and 2 more changed')
    expect(causeText({kind: 'redefined', file: 'a/model-settings.json', was: {name: 'a'}, now: {name: 'a', version: 'v1'}})).toBe('a/model-settings.json now defines model "a" version "v1" instead of model "a"')
    expect(causeText({kind: 'handed-over', cause: {kind: 'gone', file: 'a/model-settings.json'}, heir: 'copy/model-settings.json'})).toBe('a/model-settings.json is gone; copy/model-settings.json defines it')
  })

  it('words a step before and after, with the log line docs/cli.md shows', () => {
    const remove = {kind: 'remove', entry: entry('digits', 'v1'), cause: {kind: 'gone', file: 'models/digits/model-settings.json'}} as const
    expect(before(remove)).toEqual({
      who: remove.entry,
      level: 'info',
      text: 'unloading model "digits" version "v1" (models/digits/model-settings.json is gone)',
      log: {level: 'info', event: 'watch_unload', message: 'unloading model "digits" version "v1"', reason: 'models/digits/model-settings.json is gone'},
    })
    expect(after(remove, undefined)).toMatchObject({level: 'ok', text: 'model "digits" version "v1" unloaded and removed from the repository'})
    const reload = {kind: 'reload', entry: entry('a'), spec: spec('a'), serving: true, cause: {kind: 'changed', paths: ['a/model.bin']}} as const
    expect(before(reload).log).toMatchObject({event: 'watch_reload', message: 'reloading model "a"'})
    expect(after(reload, 'bad file')).toMatchObject({level: 'error', text: 'model "a": reload failed, the previous version keeps serving: bad file'})
  })
})
