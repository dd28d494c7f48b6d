/** Writes DIR/Dockerfile (and DIR/.dockerignore when missing) for `mls dockerfile`. */
import {existsSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {usageError} from '../cli/cli-error.js'
import {DOCKERIGNORE, dockerfileOptionsFor, renderDockerfile} from './dockerfile.js'

export interface WriteDockerfileResult {
  readonly dockerfile: string
  readonly dockerignore?: string
  readonly baseImage: string
  readonly installDependencies: boolean
}

/** Writes the files; refuses (CliError, exit 2) a missing folder, and an existing Dockerfile unless `force`. */
export function writeDockerfile(dir: string, options: {force?: boolean; baseImage?: string} = {}): WriteDockerfileResult {
  const root = path.resolve(dir)
  if (!existsSync(root) || !statSync(root).isDirectory()) throw usageError(`${root}: no such folder`)
  const dockerfile = path.join(root, 'Dockerfile')
  if (existsSync(dockerfile) && !options.force) throw usageError(`${dockerfile} exists; use --force to overwrite it`)
  const dockerOptions = dockerfileOptionsFor(root, options.baseImage)
  const text = renderDockerfile(dockerOptions)
  writeFileSync(dockerfile, text)
  const ignore = path.join(root, '.dockerignore')
  let dockerignore: string | undefined
  if (!existsSync(ignore)) {
    writeFileSync(ignore, DOCKERIGNORE)
    dockerignore = ignore
  }
  const baseImage = /^ARG MLS_IMAGE=(.+)$/m.exec(text)?.[1] ?? ''
  return {dockerfile, dockerignore, baseImage, installDependencies: dockerOptions.installDependencies ?? false}
}
