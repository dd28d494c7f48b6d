/** A small Dockerfile reader for the tests: instructions per stage, ENV values, exec-form commands. */
import {readFileSync} from 'node:fs'

export interface Instruction {
  readonly keyword: string
  readonly args: string
}

export interface Stage {
  readonly from: string
  readonly name?: string
  readonly instructions: Instruction[]
}

/** Splits a Dockerfile into stages of instructions (continuations joined, comments dropped). */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = []
  let current = ''
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line) && current === '') continue
    if (/^\s*#/.test(line)) continue
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' '
      continue
    }
    current += line
    if (current.trim() !== '') logical.push(current.trim())
    current = ''
  }
  const stages: Stage[] = []
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!
    const upper = keyword.toUpperCase()
    if (upper === 'FROM') {
      const [, from, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!
      stages.push({from, name, instructions: []})
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({keyword: upper, args: args.replaceAll(/\s+/g, ' ').trim()})
    }
  }
  return stages
}

export function readDockerfile(file: string): Stage[] {
  return parseDockerfile(readFileSync(file, 'utf8'))
}

/** The args of every instruction of that keyword in a stage. */
export function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args)
}

/** The last instruction of that keyword (as Docker uses the last CMD / ENTRYPOINT / HEALTHCHECK). */
export function last(stage: Stage, keyword: string): string | undefined {
  return all(stage, keyword).at(-1)
}

/** ENV KEY=VALUE pairs of a stage, in order. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const args of all(stage, 'ENV')) {
    for (const pair of args.split(' ')) {
      const at = pair.indexOf('=')
      env[pair.slice(0, at)] = pair.slice(at + 1)
    }
  }
  return env
}

/** An exec-form (JSON array) command. */
export function execForm(args: string | undefined): string[] {
  if (args === undefined) throw new Error('no such instruction')
  return JSON.parse(args) as string[]
}

/** HEALTHCHECK's options and exec-form command. */
export function healthcheck(stage: Stage): {options: string[]; command: string[]} {
  const args = last(stage, 'HEALTHCHECK')!
  const at = args.indexOf('CMD ')
  return {options: args.slice(0, at).trim().split(' '), command: execForm(args.slice(at + 4))}
}
