/** The Dockerfile `mls dockerfile DIR` writes: the mls image with the user's model repository copied in. */
import {existsSync} from 'node:fs'
import path from 'node:path'
import {MLS_VERSION} from '../version.js'
import {HEALTHCHECK_LINE, IMAGE_CMD, IMAGE_ENTRYPOINT, IMAGE_PORTS, IMAGE_USER, MODEL_MOUNT, envLines} from './image.js'

export interface DockerfileOptions {
  /** Base image: the mls image built from the repository's Dockerfile. Default `mls:<version>`. */
  readonly baseImage?: string
  /** The repository has a package.json (a custom runtime's dependencies): install them in the image. */
  readonly installDependencies?: boolean
  /** It also has a package-lock.json: install with `npm ci` rather than `npm install`. */
  readonly lockfile?: boolean
}

/** The default base image tag for this version of mls. */
export const DEFAULT_BASE_IMAGE = `mls:${MLS_VERSION}`

/** Lines of the .dockerignore written beside it: nothing the server does not need. */
export const DOCKERIGNORE = ['Dockerfile', '.dockerignore', '.git', 'node_modules', '*.log', ''].join('\n')

/** The Dockerfile text for a model repository folder. */
export function renderDockerfile(options: DockerfileOptions = {}): string {
  const base = options.baseImage ?? DEFAULT_BASE_IMAGE
  const install = options.installDependencies
    ? [`# The repository's package.json: dependencies of its custom runtimes.`, `RUN npm ${options.lockfile === false ? 'install' : 'ci'} --omit=dev --prefix ${MODEL_MOUNT} && npm cache clean --force`, '']
    : []
  return [
    '# syntax=docker/dockerfile:1',
    '# Written by `mls dockerfile`: serves this model repository with mls.',
    `# Build the base image first, from the mls repository: docker build -t ${DEFAULT_BASE_IMAGE} .`,
    `# Then: docker build -t my-models . && docker run -p 8080:8080 -p 8081:8081 -p 8082:8082 my-models`,
    `ARG MLS_IMAGE=${base}`,
    'FROM ${MLS_IMAGE}',
    '',
    `# The repository is copied in (read-only to the server's user) instead of mounted at ${MODEL_MOUNT}.`,
    'USER root',
    `COPY --chown=root:root . ${MODEL_MOUNT}`,
    'RUN chmod -R a+rX ' + MODEL_MOUNT,
    ...install,
    `USER ${IMAGE_USER}`,
    envLines(),
    `EXPOSE ${IMAGE_PORTS.join(' ')}`,
    HEALTHCHECK_LINE,
    `ENTRYPOINT ${JSON.stringify(IMAGE_ENTRYPOINT)}`,
    `CMD ${JSON.stringify(IMAGE_CMD)}`,
    '',
  ].join('\n')
}

/** Options for a repository folder: dependencies are installed when it has a package.json. */
export function dockerfileOptionsFor(dir: string, baseImage?: string): DockerfileOptions {
  return {baseImage, installDependencies: existsSync(path.join(dir, 'package.json')), lockfile: existsSync(path.join(dir, 'package-lock.json'))}
}
