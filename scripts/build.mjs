#!/usr/bin/env node
/**
 * npm run build: compile src/ to dist/ and write oclif.manifest.json, doing only what changed since the last build,
 * so `npm start` and `npm test` are ready in seconds when nothing did.
 * - TypeScript: `tsc --build` keeps dist/.tsbuildinfo and skips the compile when no input (source, tsconfig) is newer
 *   than it; otherwise it re-emits the files whose output changes. The info file lives in dist/ so that deleting dist/
 *   forces a full build (a kept info file would make tsc think the deleted outputs are still there).
 * - The manifest (the commands' flags and help, read by oclif at start-up) is written again when it is missing or older
 *   than package.json or than any file under dist/: a command's flags may come from a shared module, not only from
 *   dist/commands/. `oclif manifest` loads every command, and it checks for a newer oclif unless told not to: that
 *   would print an "update available" warning on every build.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => path.join(root, 'node_modules', '.bin', name)
const manifest = path.join(root, 'oclif.manifest.json')

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, {cwd: root, stdio: 'inherit', env})
  if (result.error) throw result.error
  if (result.status !== 0) process.exit(result.status ?? 1)
}

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  let latest = 0
  for (const entry of readdirSync(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs)
  }
  return latest
}

run(bin('tsc'), ['--build', 'tsconfig.build.json'])

const inputs = Math.max(newest(path.join(root, 'dist')), statSync(path.join(root, 'package.json')).mtimeMs)
if (!existsSync(manifest) || statSync(manifest).mtimeMs < inputs) {
  run(bin('oclif'), ['manifest'], {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'})
}
