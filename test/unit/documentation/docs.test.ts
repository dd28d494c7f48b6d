/**
 * The README and docs/ against what is built: every `mls <command> --flag` they write exists in the oclif manifest
 * (`npm run build` writes oclif.manifest.json), every relative link reaches a file and every `#anchor` a heading (as
 * GitHub renders them), the index lists every page, and the README stays a tour.
 */
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {anchorsOf, linkTargets, mlsInvocations, splitMarkdown, type Invocation} from './markdown.js'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const DOCS = path.join(ROOT, 'docs')
const FILES = ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', ...readdirSync(DOCS).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)]

/**
 * Commands the docs already describe that land with a parallel branch of issue 18 (`mls ps`, from the runtime-file
 * change). Remove an entry once the command is in the manifest: the test then checks its flags like any other.
 */
const PENDING_COMMANDS = new Set<string>()

interface ManifestFlag {
  readonly name: string
  readonly char?: string
  readonly allowNo?: boolean
}
interface Manifest {
  readonly commands: Record<string, {readonly flags: Record<string, ManifestFlag>}>
}

function readManifest(): Manifest {
  const file = path.join(ROOT, 'oclif.manifest.json')
  if (!existsSync(file)) throw new Error('oclif.manifest.json is missing: run `npm run build` first')
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest
}

function parts(file: string) {
  return splitMarkdown(readFileSync(path.join(ROOT, file), 'utf8'))
}

/** What is wrong with one invocation against the manifest, or undefined. */
function checkInvocation(manifest: Manifest, invocation: Invocation): string | undefined {
  const words = invocation.words
  const positional = words.filter((word) => !word.startsWith('-') && !word.startsWith('['))
  // `mls help <command>` (oclif's help command): the command after it must exist; its words are not flags.
  const offset = positional[0] === 'help' ? 1 : 0
  const first = positional[offset]
  if (first === undefined || first.startsWith('<')) return undefined // `mls <command> --help`: no command named
  // An example of a mistake, written to show what mls answers to it: the line says so in its comment.
  if (/#\s*(?:mistyped|a typo)\b/.test(invocation.text)) return undefined
  // `mls help <topic>`: a topic (repo) is the first word of its commands.
  if (offset === 1 && positional.length === 2 && Object.keys(manifest.commands).some((id) => id.startsWith(`${first}:`))) return undefined
  const flagWords = offset === 0 ? words : []
  const twoWords = `${first}:${positional[offset + 1] ?? ''}`
  const id = manifest.commands[twoWords] ? twoWords : first
  const command = manifest.commands[id]
  if (command === undefined) return PENDING_COMMANDS.has(id) ? undefined : `unknown command "${id}"`
  const flags = Object.values(command.flags)
  for (const raw of flagWords) {
    const word = raw.replace(/^\[+/, '').replace(/[\],.:]+$/, '').replace(/=.*$/, '')
    if (!/^--?[a-zA-Z]/.test(word) || word === '--help' || word === '-h') continue
    const known = word.startsWith('--')
      ? flags.some((flag) => `--${flag.name}` === word || (flag.allowNo === true && `--no-${flag.name}` === word))
      : flags.some((flag) => flag.char !== undefined && `-${flag.char}` === word)
    if (!known) return `mls ${id.replace(':', ' ')} has no flag ${word}`
  }
  return undefined
}

describe('the README and docs/', () => {
  it('write only commands and flags that the built CLI has (oclif.manifest.json)', () => {
    const manifest = readManifest()
    const problems: string[] = []
    let checked = 0
    for (const file of FILES) {
      for (const code of parts(file).code) {
        for (const invocation of mlsInvocations(code)) {
          checked++
          const problem = checkInvocation(manifest, invocation)
          if (problem) problems.push(`${file}: \`${invocation.text.trim()}\`: ${problem}`)
        }
      }
    }
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThan(50) // the docs are full of commands: far fewer means the extraction broke
  })

  it('catches a flag or command the CLI does not have (the check itself)', () => {
    const manifest = readManifest()
    const check = (code: string) => mlsInvocations(code).map((invocation) => checkInvocation(manifest, invocation))
    expect(check('mls start --htp-port 1')).toEqual(['mls start has no flag --htp-port'])
    expect(check('$ mls repo list --no-ready && mls repo load x --timeout 3')).toEqual([undefined, undefined])
    expect(check('mls repo list --no-json')).toEqual(['mls repo list has no flag --no-json'])
    expect(check('mls infer -m a -x')).toEqual(['mls infer has no flag -x'])
    expect(check('mls frobnicate')).toEqual(['unknown command "frobnicate"'])
    expect(check('mls help start')).toEqual([undefined])
    expect(check('mls help frobnicate')).toEqual(['unknown command "frobnicate"'])
    expect(check("mls infer --model m --data '--not-a-flag' --help")).toEqual([undefined])
    expect(check('mls start [DIR] [--watch]')).toEqual([undefined])
    expect(check('… model.joblib: mls never loads pickles')).toEqual([])
  })

  it('link only to files that exist, and to anchors that their headings give', () => {
    const problems: string[] = []
    let checked = 0
    for (const file of FILES) {
      for (const target of linkTargets(parts(file).prose)) {
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue // http:, https:, mailto:
        checked++
        const [relative, anchor] = target.split('#') as [string, string | undefined]
        const resolved = relative === '' ? path.join(ROOT, file) : path.resolve(path.dirname(path.join(ROOT, file)), decodeURI(relative))
        if (!existsSync(resolved)) {
          problems.push(`${file}: ${target}: no such file`)
          continue
        }
        if (anchor === undefined) continue
        if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) {
          problems.push(`${file}: ${target}: an anchor into a file that is not Markdown`)
          continue
        }
        const anchors = anchorsOf(splitMarkdown(readFileSync(resolved, 'utf8')).headings)
        if (!anchors.has(anchor)) problems.push(`${file}: ${target}: no heading gives #${anchor}`)
      }
    }
    expect(problems).toEqual([])
    expect(checked).toBeGreaterThan(40)
  })

  it('gives headings the anchors GitHub gives them', () => {
    expect([...anchorsOf(['Developing with --watch', "Installing, and onnxruntime-node's CUDA download", 'Benchmarking a model (`mls bench`)', 'Running in production / on Kubernetes', 'Errors', 'Errors'])]).toEqual([
      'developing-with---watch',
      'installing-and-onnxruntime-nodes-cuda-download',
      'benchmarking-a-model-mls-bench',
      'running-in-production--on-kubernetes',
      'errors',
      'errors-1',
    ])
  })

  it('come with the project files users expect: the license package.json names, a changelog, a contributing guide', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {license: string}
    expect(pkg.license).toBe('Apache-2.0')
    const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/)
    expect(license).toMatch(/END OF TERMS AND CONDITIONS/)
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    for (const file of ['LICENSE', 'CHANGELOG.md', 'CONTRIBUTING.md']) expect(linkTargets(parts('README.md').prose), file).toContain(file)
    expect(readme).toMatch(/Apache-2\.0/)
    expect(parts('CHANGELOG.md').headings).toContain('0.1.0 (unreleased)')
  })

  it('has an index that links every page of docs/', () => {
    const linked = new Set(linkTargets(parts('docs/README.md').prose).map((target) => target.split('#')[0]))
    const pages = FILES.filter((file) => file.startsWith('docs/') && file !== 'docs/README.md').map((file) => path.basename(file))
    expect(pages.filter((page) => !linked.has(page))).toEqual([])
  })

  it('keeps the README a tour: under 250 lines, with the reference in docs/', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    expect(readme.split('\n').length).toBeLessThan(250)
    expect(linkTargets(parts('README.md').prose)).toContain('docs/README.md')
  })
})
