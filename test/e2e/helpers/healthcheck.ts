/** Runs the image's HEALTHCHECK script (bin/healthcheck.js) as the image does, with `env` on top of this process's. */
import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {HEALTHCHECK_SCRIPT} from '../../../src/deploy/image.js'
import {REPO_ROOT} from './mls-process.js'

export const HEALTHCHECK = path.join(REPO_ROOT, HEALTHCHECK_SCRIPT)

/** Its exit code (null when it had to be killed: 15 s, well above its 4 s deadline). */
export function runHealthcheck(env: Readonly<Record<string, string>>): number | null {
  return spawnSync(process.execPath, [HEALTHCHECK], {env: {...process.env, ...env}, timeout: 15_000}).status
}
