/**
 * The runtimes users start from (the init template, the bundled example) type-check against the public API, as an
 * author's editor sees them with `mls` installed: `mls` is src/index.ts here.
 */
import {fileURLToPath} from 'node:url'
import ts from 'typescript'
import {describe, expect, it} from 'vitest'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const RUNTIMES = ['templates/custom/runtime.ts', 'examples/custom-runtime/models/sentiment/runtime.ts']

describe('runtime sources against the public API', () => {
  it('type-check without errors', () => {
    const program = ts.createProgram(
      RUNTIMES.map((file) => ROOT + file),
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        noImplicitOverride: true,
        allowImportingTsExtensions: true,
        types: ['node'],
        typeRoots: [ROOT + 'node_modules/@types'],
        paths: {mls: [ROOT + 'src/index.ts']},
      },
    )
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${d.file.fileName})` : ''))
    expect(problems).toEqual([])
  })
})
