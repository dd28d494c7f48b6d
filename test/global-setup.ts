/**
 * Vitest's global setup: the run gets a temporary folder of its own, and fails if any test left something in it.
 *
 * TMPDIR is what `os.tmpdir()` reads on every call; the test workers, and the servers, CLIs, browsers and tools they
 * spawn, inherit it. So everything the tests make "in the temporary folder" lands here, and nothing another process
 * on the machine makes can be mistaken for a leftover of this run.
 */
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

/**
 * What tools keep in the temporary folder on purpose, across runs: tsx's compile cache (`tsx-<uid>`), and Node's
 * module compile cache (`node-compile-cache`, Node 22.1 and later), which tsc turns on (the build test runs tsc).
 */
const TOOL_CACHES = [/^tsx-[^/]+$/, /^node-compile-cache$/]
/** The runtime folder of the run's servers: a server killed with SIGKILL (some tests do) leaves its file, by design. */
const RUNTIME_DIR = 'mls-runtime'

/** Sets TMPDIR to a fresh folder; the returned teardown removes it and fails the run if tests left entries in it. */
export default function setup(): () => void {
  const previous = process.env.TMPDIR
  const previousRuntime = process.env.MLS_RUNTIME_DIR
  const root = mkdtempSync(path.join(tmpdir(), 'mls-run-'))
  process.env.TMPDIR = root
  // The servers the tests start leave their runtime files (src/running/) here, never in the user's runtime folder,
  // where a developer's own `mls start` would meet them (and `mls ps` list them).
  process.env.MLS_RUNTIME_DIR = path.join(root, RUNTIME_DIR)
  // ORT_DISABLE_TELEMETRY is not set here: mls sets it itself (bin/run.js, runtimes/onnx/open-session.ts), so that
  // onnxruntime's .ses / mat-debug-<pid>.log files are never left behind; this guard is what shows it.
  return () => {
    const left = readdirSync(root).filter((name) => name !== RUNTIME_DIR && !TOOL_CACHES.some((cache) => cache.test(name)))
    rmSync(root, {recursive: true, force: true})
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    if (previousRuntime === undefined) delete process.env.MLS_RUNTIME_DIR
    else process.env.MLS_RUNTIME_DIR = previousRuntime
    if (left.length > 0) {
      // Vitest only logs an error thrown here and still exits 0: fail the run through the exit code.
      process.exitCode = 1
      console.error(`\nFAIL the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temporary folder (each test removes what it makes): ${left.sort().join(', ')}\n`)
    }
  }
}
