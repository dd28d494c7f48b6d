#!/usr/bin/env node
import {execute} from '@oclif/core'

// Set on the process itself (worker threads and processes it starts share it): onnxruntime-node's telemetry would
// otherwise leave a .ses and a mat-debug-<pid>.log file in the temporary folder of every process that opens a session.
process.env.ORT_DISABLE_TELEMETRY ??= '1'
await execute({dir: import.meta.url})
