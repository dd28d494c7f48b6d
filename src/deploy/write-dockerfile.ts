/** Writes DIR/Dockerfile (and DIR/.dockerignore when missing) for `mls dockerfile`. */
import {existsSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {DOCKERIGNORE, dockerfileOptionsFor, renderDockerfile} from './dockerfile.js'

/** A refusal with the exit code the command ends with: 2 for bad usage or a file that would be overwritten. */
export class DockerfileError extends Error {
  constructor(message: string, readonly exit: number) {
    super(message)
  }
}

export interface WriteDockerfileResult {
  readonly dockerfile: string
  readonly dockerignore?: string
  readonly baseImage: string
  readonly installDependencies: boolean
}

/** Writes the files; refuses to overwrite an existing Dockerfile unless `force`. */
export function writeDockerfile(dir: string, options: {force?: boolean; baseImage?: string} = {}): WriteDockerfileResult {
  const root = path.resolve(dir)
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new DockerfileError(`${root}: no such folder`, 2)
  const dockerfile = path.join(root, 'Dockerfile')
  if (existsSync(dockerfile) && !options.force) throw new DockerfileError(`${dockerfile} exists; use --force to overwrite it`, 2)
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
