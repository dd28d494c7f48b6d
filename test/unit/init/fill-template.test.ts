import {describe, expect, it} from 'vitest'
import {fillTemplate, placeholders} from '../../../src/init/fill-template.js'

describe('fillTemplate', () => {
  it('replaces each placeholder with the JSON encoding of its value', () => {
    const template = '{"name": {{name}}, "port": {{ port }}, "debug": {{debug}}}'
    expect(JSON.parse(fillTemplate(template, {name: 'digits', port: 8080, debug: false}))).toEqual({name: 'digits', port: 8080, debug: false})
  })

  it('escapes strings, so a value cannot break the JSON', () => {
    const filled = fillTemplate('{"version": {{version}}}', {version: 'v1"}, "x": "y'})
    expect(JSON.parse(filled)).toEqual({version: 'v1"}, "x": "y'})
  })

  it('drops members whose value is null or undefined, and objects emptied by that', () => {
    const template = '{"name": {{name}}, "parameters": {"version": {{version}}}, "extra": {}}'
    expect(JSON.parse(fillTemplate(template, {name: 'm', version: undefined}))).toEqual({name: 'm', extra: {}})
    expect(JSON.parse(fillTemplate(template, {name: 'm', version: 'v2'}))).toEqual({name: 'm', parameters: {version: 'v2'}, extra: {}})
  })

  it('writes two-space indented JSON with a final newline', () => {
    expect(fillTemplate('{"a":{{a}}}', {a: 1})).toBe('{\n  "a": 1\n}\n')
  })

  it('refuses a placeholder it has no key for, naming the template', () => {
    expect(() => fillTemplate('{"a": {{a}}, "b": {{b}}}', {a: 1}, 'x.json')).toThrow('x.json: unknown placeholder(s) {{b}}')
  })

  it('refuses a template that is not JSON once filled', () => {
    expect(() => fillTemplate('{"a": {{a}},}', {a: 1}, 'x.json')).toThrow(/^x\.json: not valid JSON after filling/)
  })

  it('lists the placeholders once each, in order', () => {
    expect(placeholders('{{b}} {{a}} {{ b }}')).toEqual(['b', 'a'])
  })
})
