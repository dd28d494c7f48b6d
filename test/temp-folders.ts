/** Temporary folders a test file makes and removes: every test leaves the temporary folder as it found it. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll} from 'vitest'

/**
 * A maker of temporary folders (`mkdtemp` under `os.tmpdir()`, named `prefix` + random); each folder it made is
 * removed after the tests of the file (or `describe` block) that called `tempFolders()`.
 */
export function tempFolders(): (prefix: string) => string {
  const made: string[] = []
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
  })
  return (prefix) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix))
    made.push(dir)
    return dir
  }
}
