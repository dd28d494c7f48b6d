/**
 * The per-user folder where each running `mls start` leaves a runtime file (runtime-file.ts), as Jupyter keeps its
 * `jpserver-<pid>.json`: MLS_RUNTIME_DIR when set (tests use it); else $XDG_RUNTIME_DIR/mls (per user, cleared at
 * logout, the place the XDG spec gives such files); else the user's data folder ($XDG_DATA_HOME or ~/.local/share)
 * /mls/runtime; and when there is no home folder at all, <tmp>/mls-<uid>.
 */
import {homedir, tmpdir} from 'node:os'
import path from 'node:path'

/** The runtime folder for `env` (a pure function of env and the user's home). */
export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLS_RUNTIME_DIR) return path.resolve(env.MLS_RUNTIME_DIR)
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'mls')
  if (env.XDG_DATA_HOME) return path.join(env.XDG_DATA_HOME, 'mls', 'runtime')
  let home = ''
  try {
    home = homedir()
  } catch {
    // No passwd entry and no HOME (some containers): fall through to the temporary folder.
  }
  if (home !== '') return path.join(home, '.local', 'share', 'mls', 'runtime')
  return path.join(tmpdir(), `mls-${process.getuid?.() ?? 'user'}`)
}
