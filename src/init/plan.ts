/** What `init` is about to write: a list of files, each with new content or a file to copy. Nothing is written yet. */

/** Why a file is in the plan; it decides the advice given when the file already exists. */
export type FileRole = 'settings' | 'model' | 'example'

/** One file to create: `content` to write, or `copyFrom` (an absolute path) to copy. `target` is absolute. */
export type PlannedFile =
  | {readonly role: FileRole; readonly target: string; readonly content: string}
  | {readonly role: FileRole; readonly target: string; readonly copyFrom: string}

/** The files for one `init` run, below `dir` (absolute). */
export interface Plan {
  readonly dir: string
  readonly files: readonly PlannedFile[]
}
