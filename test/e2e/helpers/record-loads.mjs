/**
 * A `node --import` preload for tests: records which native modules (.node files, through process.dlopen, the one way
 * Node loads them) and which CommonJS modules a process loaded, appended as one JSON line per process or thread at
 * exit to the file named by MLS_TEST_LOAD_RECORD.
 */
import {appendFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {threadId} from 'node:worker_threads'

const record = process.env.MLS_TEST_LOAD_RECORD
if (record) {
  const native = []
  const dlopen = process.dlopen
  process.dlopen = function (module, filename, ...rest) {
    native.push(String(filename))
    return dlopen.call(this, module, filename, ...rest)
  }
  process.on('exit', () => {
    const commonjs = Object.keys(createRequire(import.meta.url).cache)
    appendFileSync(record, JSON.stringify({pid: process.pid, threadId, native, commonjs}) + '\n')
  })
}
