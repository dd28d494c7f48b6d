/** Entry point of every pool worker thread (dist/workers/worker-main.js): serves a built-in runtime. */
import {createRuntime} from '../runtimes/registry.js'
import {serveRuntime} from './worker-host.js'

await serveRuntime(createRuntime)
