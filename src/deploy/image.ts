/** What the mls container image is: paths, ports, environment and health check, shared by the Dockerfiles and manifests. */
import {SERVER_DEFAULTS} from '../settings/server-settings.js'

/** Where the image expects the model repository (KServe's storage initializer mounts models here). */
export const MODEL_MOUNT = '/mnt/models'
/** Where mls lives inside the image. */
export const APP_DIR = '/app'
/** The non-root user the image runs as (the node image's "node"), numeric so Kubernetes' runAsNonRoot can check it. */
export const IMAGE_USER = '1000:1000'
/**
 * The Node base image of the repository's Dockerfile: Node 22 LTS, pinned to an exact release so that a rebuild gets
 * the Node that was tested (.ci/run runs the suite on this version too, read from the Dockerfile's FROM line).
 */
export const NODE_IMAGE = 'node:22.23.5-bookworm-slim'
/** Liveness and readiness paths of the REST server. */
export const HEALTH_PATHS = {live: '/v2/health/live', ready: '/v2/health/ready'} as const

/** Environment set in the image: the settings every container needs. */
export const IMAGE_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  MLS_MODEL_REPOSITORY_ROOT: MODEL_MOUNT,
  MLS_HOST: '0.0.0.0',
  MLS_HTTP_PORT: String(SERVER_DEFAULTS.http_port),
  MLS_GRPC_PORT: String(SERVER_DEFAULTS.grpc_port),
  MLS_METRICS_PORT: String(SERVER_DEFAULTS.metrics_port),
}

/** The ports the image exposes: REST, gRPC, metrics. */
export const IMAGE_PORTS = [SERVER_DEFAULTS.http_port, SERVER_DEFAULTS.grpc_port, SERVER_DEFAULTS.metrics_port] as const

/** ENTRYPOINT and CMD: `mls start /mnt/models` (so the repository's settings.json is read too). */
export const IMAGE_ENTRYPOINT = ['node', `${APP_DIR}/bin/run.js`] as const
export const IMAGE_CMD = ['start', MODEL_MOUNT] as const

/**
 * The HEALTHCHECK script, relative to the app folder (the image copies bin/): exit 0 when the ready endpoint answers
 * 200, over http or else https (TLS on) without checking the certificate (the slim image has no curl).
 */
export const HEALTHCHECK_SCRIPT = 'bin/healthcheck.js'
/** HEALTHCHECK's exec-form command. */
export const HEALTHCHECK_COMMAND = ['node', `${APP_DIR}/${HEALTHCHECK_SCRIPT}`] as const

/** The HEALTHCHECK instruction, identical in the repository's Dockerfile and in `mls dockerfile`'s. */
export const HEALTHCHECK_LINE = `HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ${JSON.stringify(HEALTHCHECK_COMMAND)}`

/** Dockerfile ENV lines for IMAGE_ENV. */
export function envLines(env: Readonly<Record<string, string>> = IMAGE_ENV): string {
  return 'ENV ' + Object.entries(env).map(([key, value]) => `${key}=${value}`).join(' \\\n    ')
}
