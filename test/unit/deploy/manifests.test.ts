/**
 * Every manifest under deploy/ checked against what mls really uses: ports (SERVER_DEFAULTS or the env that sets them),
 * health paths (the server's own routes), env names (settings fields and MLS_MODEL_*), the image's user and entry.
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {parseAllDocuments} from 'yaml'
import {describe, expect, it} from 'vitest'
import {HEALTH_PATHS, IMAGE_ENTRYPOINT, IMAGE_USER, MODEL_MOUNT} from '../../../src/deploy/image.js'
import {ENV_MODEL_VARIABLES} from '../../../src/repository/env-model.js'
import {BUILTIN_RUNTIMES} from '../../../src/runtimes/registry.js'
import {buildDataplaneOpenApi} from '../../../src/server/docs/dataplane-openapi.js'
import {SERVER_DEFAULTS, SERVER_SETTINGS_KEYS} from '../../../src/settings/server-settings.js'

/* eslint-disable @typescript-eslint/no-explicit-any */
type Doc = Record<string, any>
interface Source {
  file: string
  doc: Doc
}

const DEPLOY = path.resolve('deploy')
const files = readdirSync(DEPLOY, {recursive: true, encoding: 'utf8'}).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(DEPLOY, f))
const docs: Source[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([])
    return {file, doc: d.toJS() as Doc}
  }),
)
const ofKind = (kind: string) => docs.filter((d) => d.doc.kind === kind)
const ENV_NAMES = new Set([...SERVER_SETTINGS_KEYS.flatMap((k) => ['MLS_', 'MLSERVER_'].map((p) => p + k.toUpperCase())), ...ENV_MODEL_VARIABLES])
const IMAGE_UID = Number(IMAGE_USER.split(':')[0])

/** Every mls container with its pod spec. */
function containers(): Array<{where: string; container: Doc; pod: Doc}> {
  const out: Array<{where: string; container: Doc; pod: Doc}> = []
  for (const {file, doc} of docs) {
    const pod = doc.kind === 'Deployment' ? doc.spec.template.spec : doc.kind === 'Server' ? doc.spec.podSpec : doc.kind === 'ClusterServingRuntime' ? doc.spec : undefined
    for (const container of pod?.containers ?? []) out.push({where: `${path.relative(DEPLOY, file)} ${doc.kind} ${container.name}`, container, pod})
  }
  return out
}

function envOf(container: Doc): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((e: Doc) => [e.name, String(e.value)]))
}

/** The ports the container's mls listens on: from its env, else the defaults. */
function portsOf(container: Doc) {
  const env = envOf(container)
  return {
    http: Number(env.MLS_HTTP_PORT ?? SERVER_DEFAULTS.http_port),
    grpc: Number(env.MLS_GRPC_PORT ?? SERVER_DEFAULTS.grpc_port),
    metrics: Number(env.MLS_METRICS_PORT ?? SERVER_DEFAULTS.metrics_port),
  }
}

function resolvePort(container: Doc, port: number | string): number {
  if (typeof port === 'number') return port
  const found = (container.ports ?? []).find((p: Doc) => p.name === port)
  expect(found, `named port ${port}`).toBeDefined()
  return found.containerPort
}

describe('deploy/ manifests', () => {
  it('has the expected manifests, each valid YAML', () => {
    expect(files.map((f) => path.relative(DEPLOY, f)).sort()).toEqual(['kserve/cluster-serving-runtimes.yaml', 'kserve/inference-services.yaml', 'kubernetes/mls.yaml', 'seldon/server.yaml'])
    expect(docs.map((d) => d.doc.kind).sort()).toEqual(['ClusterServingRuntime', 'ClusterServingRuntime', 'ClusterServingRuntime', 'Deployment', 'HorizontalPodAutoscaler', 'InferenceService', 'InferenceService', 'InferenceService', 'Model', 'Server', 'Service'])
  })

  it('uses the server\'s real health paths', () => {
    const paths = Object.keys(buildDataplaneOpenApi({title: 'mls', version: '0'}).paths)
    expect(paths).toEqual(expect.arrayContaining(Object.values(HEALTH_PATHS)))
  })

  it.each(containers())('$where: env names, ports, probes, entry and user match mls', ({container, pod}) => {
    const env = envOf(container)
    for (const name of Object.keys(env)) expect(ENV_NAMES, name).toContain(name)
    const ports = portsOf(container)
    for (const port of container.ports ?? []) expect(Object.values(ports)).toContain(port.containerPort)
    expect((container.ports ?? []).find((p: Doc) => /^http/.test(p.name))?.containerPort ?? ports.http).toBe(ports.http)
    // Probes: liveness on live; readiness on ready (or live where models are loaded later, by an agent).
    const lazy = env.MLS_LOAD_MODELS_AT_STARTUP === 'false'
    for (const [probe, allowed] of [['livenessProbe', [HEALTH_PATHS.live]], ['startupProbe', [HEALTH_PATHS.live]], ['readinessProbe', lazy ? [HEALTH_PATHS.live] : [HEALTH_PATHS.ready]]] as const) {
      const get = container[probe]?.httpGet
      if (probe === 'startupProbe' && get === undefined) continue
      expect(get, probe).toBeDefined()
      expect(allowed).toContain(get.path)
      expect(resolvePort(container, get.port)).toBe(ports.http)
    }
    // Entry: the image's ENTRYPOINT (when overridden) and `start ROOT`, ROOT the repository root (mounted read-only).
    if (container.command !== undefined) expect(container.command).toEqual([...IMAGE_ENTRYPOINT])
    expect(container.args[0]).toBe('start')
    expect(container.args[1]).toBe(env.MLS_MODEL_REPOSITORY_ROOT ?? MODEL_MOUNT)
    for (const mount of container.volumeMounts ?? []) {
      expect(mount.mountPath).toBe(container.args[1])
      expect(mount.readOnly).toBe(true)
    }
    const user = container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser
    if (user !== undefined) expect(user).toBe(IMAGE_UID)
  })

  it('KServe: one v2 runtime per built-in format, choosing that runtime through MLS_MODEL_IMPLEMENTATION, never auto-selected', () => {
    const runtimes = ofKind('ClusterServingRuntime').map((d) => d.doc)
    const formats = runtimes.map((runtime) => {
      expect(runtime.spec.protocolVersions).toEqual(['v2'])
      const [format, ...others] = runtime.spec.supportedModelFormats
      expect(others).toEqual([])
      expect(format.autoSelect).toBe(false)
      expect(runtime.metadata.name).toBe(`kserve-mls-${format.name}`)
      const container = runtime.spec.containers[0]
      expect(envOf(container).MLS_MODEL_NAME).toBe('{{.Name}}')
      expect(envOf(container).MLS_MODEL_IMPLEMENTATION).toBe(format.name)
      expect(runtime.spec.annotations['prometheus.kserve.io/port']).toBe(String(portsOf(container).metrics))
      expect(runtime.spec.annotations['prometheus.kserve.io/path']).toBe(SERVER_DEFAULTS.metrics_endpoint)
      return format.name as string
    })
    expect([...formats].sort()).toEqual(Object.keys(BUILTIN_RUNTIMES).sort())
    // The runtimes differ in their name, format and implementation alone.
    const rest = (runtime: Doc) => {
      const copy = structuredClone(runtime)
      delete copy.metadata.name
      delete copy.spec.supportedModelFormats
      copy.spec.containers[0].env = copy.spec.containers[0].env.filter((e: Doc) => e.name !== 'MLS_MODEL_IMPLEMENTATION')
      return copy
    }
    for (const runtime of runtimes.slice(1)) expect(rest(runtime)).toEqual(rest(runtimes[0]))
  })

  it('KServe: every InferenceService names a runtime that supports its format, over v2; one per runtime', () => {
    const runtimes = new Map(ofKind('ClusterServingRuntime').map(({doc}) => [doc.metadata.name as string, doc]))
    const services = ofKind('InferenceService').map((d) => d.doc.spec.predictor.model)
    for (const model of services) {
      const runtime = runtimes.get(model.runtime)
      expect(runtime, model.runtime).toBeDefined()
      expect(model.protocolVersion).toBe('v2')
      expect(runtime!.spec.supportedModelFormats.map((f: Doc) => f.name)).toContain(model.modelFormat.name)
    }
    expect(services.map((model) => model.runtime).sort()).toEqual([...runtimes.keys()].sort())
  })

  it('names only environment variables mls reads, comments included (and the Dockerfile too)', () => {
    let count = 0
    for (const file of [...files, path.resolve('Dockerfile')]) {
      // A name ending in _* (MLS_MODEL_*) is a family, not a variable.
      const names = [...readFileSync(file, 'utf8').matchAll(/\bMLS(?:ERVER)?_[A-Z0-9_]+\*?/g)].map(([name]) => name).filter((name) => !name.endsWith('*'))
      for (const name of names) expect(ENV_NAMES, `${file}: ${name}`).toContain(name)
      count += names.length
    }
    expect(count).toBeGreaterThan(20)
  })

  it('Seldon: the Model\'s requirements are among the Server\'s capabilities', () => {
    const [{doc: server}] = ofKind('Server')
    const [{doc: model}] = ofKind('Model')
    for (const requirement of model.spec.requirements) expect(server.spec.capabilities).toContain(requirement)
  })

  it('Kubernetes: the Service targets the Deployment\'s ports, the HPA scales it, Prometheus scrapes the metrics port', () => {
    const [{doc: deployment}] = ofKind('Deployment')
    const [{doc: service}] = ofKind('Service')
    const [{doc: hpa}] = ofKind('HorizontalPodAutoscaler')
    const container = deployment.spec.template.spec.containers[0]
    const ports = portsOf(container)
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels)
    for (const port of service.spec.ports) {
      const target = resolvePort(container, port.targetPort)
      expect(target).toBe(ports[port.name as keyof typeof ports])
      expect(port.port).toBe(target)
    }
    expect(hpa.spec.scaleTargetRef).toMatchObject({kind: 'Deployment', name: deployment.metadata.name})
    const annotations = deployment.spec.template.metadata.annotations
    expect(annotations['prometheus.io/port']).toBe(String(ports.metrics))
    expect(annotations['prometheus.io/path']).toBe(SERVER_DEFAULTS.metrics_endpoint)
    // SIGTERM gives in-flight requests shutdown_grace_period; Kubernetes must not SIGKILL before that.
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(SERVER_DEFAULTS.shutdown_grace_period)
  })
})
