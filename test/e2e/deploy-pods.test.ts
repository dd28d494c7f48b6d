/**
 * deploy/kubernetes/mls.yaml and deploy/seldon/server.yaml run as their pods would run them, without a cluster: the
 * container's command (the image's entry, here the built CLI) with its args and env, the mounted folder a temporary
 * copy of the example repository, free ports instead of the manifest's. What the probes, Service and agent rely on
 * must hold: ready only with every model, metrics where Prometheus is told to scrape, models loaded by Seldon's agent.
 */
import {cpSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {IMAGE_ENTRYPOINT} from '../../src/deploy/image.js'
import {startContainer, type ContainerProcess} from './helpers/container.js'
import {EXAMPLE, MNIST_DIR, MUSHROOM_DIR, readTestSet, rowRequest} from './helpers/fixtures.js'
import {postJson, request} from './helpers/http.js'
import {containerEnv, readManifests, type Doc} from './helpers/manifests.js'

const mnist = readTestSet(path.join(MNIST_DIR, 'test-set.json'))
const mushroom = readTestSet(path.join(MUSHROOM_DIR, 'test-set.json'))

const cleanups: Array<() => unknown> = []
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function tempFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mls-pod-'))
  cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

/** Starts the container with `mount` (its args' model folder) standing for `folder`; returns it and its port map. */
async function startPod(container: Doc, mount: string, folder: string, waitFor: 'ready' | 'live') {
  if (container.command !== undefined) expect(container.command).toEqual([...IMAGE_ENTRYPOINT])
  const localize = (value: string) => value.replaceAll(mount, folder)
  const {env, ports} = await containerEnv(container, localize)
  const server: ContainerProcess = await startContainer(container.args.map(localize), env, {waitFor})
  cleanups.push(() => server.stop())
  return {server, ports}
}

describe('deploy/kubernetes/mls.yaml: the Deployment\'s container', () => {
  const [deployment] = readManifests('kubernetes/mls.yaml').filter((d) => d.kind === 'Deployment')
  const pod = deployment.spec.template
  const [container] = pod.spec.containers
  const mount = container.volumeMounts[0].mountPath as string

  it('is ready once every model is, serves them all, and exposes metrics where Prometheus scrapes', async () => {
    const models = tempFolder()
    cpSync(EXAMPLE, models, {recursive: true})
    const {server, ports} = await startPod(container, mount, models, 'ready')
    for (const [model, set, row] of [['mnist_sklearn', mnist, 0], ['mushroom_xgboost', mushroom, 1]] as const) {
      const answer = await postJson(`${server.url}/v2/models/${model}/infer`, rowRequest(set, row))
      expect(answer.status, answer.text).toBe(200)
      expect(answer.body.outputs[0].data[0]).toBeCloseTo(set.expected.predict[row], 5)
    }
    const annotations = pod.metadata.annotations
    const url = `http://127.0.0.1:${ports.get(Number(annotations['prometheus.io/port']))}${annotations['prometheus.io/path']}`
    const metrics = await request(url)
    expect(metrics.status, metrics.text).toBe(200)
    expect(metrics.text).toMatch(/^# TYPE /m)
  }, 60_000)
})

describe('deploy/seldon/server.yaml: the Server\'s container', () => {
  const [server] = readManifests('seldon/server.yaml').filter((d) => d.kind === 'Server')
  const [container] = server.spec.podSpec.containers
  const mount = container.args[1] as string

  it('is live with no model (its readiness probe), and serves a model the agent places and loads', async () => {
    const models = tempFolder()
    const {server: mls} = await startPod(container, mount, models, 'live')
    // No model yet: /v2/health/ready is 503, which is why the probe asks /v2/health/live.
    expect((await request(mls.url + '/v2/health/ready')).status).toBe(503)
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/live')
    // The agent downloads the Model into the folder, names it in its model-settings.json, then loads it.
    cpSync(MUSHROOM_DIR, path.join(models, 'mushroom'), {recursive: true})
    writeFileSync(path.join(models, 'mushroom/model-settings.json'), JSON.stringify({name: 'mushroom', implementation: 'mlserver_xgboost.XGBoostModel', parameters: {uri: './model.json'}}))
    const load = await postJson(mls.url + '/v2/repository/models/mushroom/load', {})
    expect(load.status, load.text).toBe(200)
    expect((await request(mls.url + '/v2/health/ready')).status).toBe(200)
    const answer = await postJson(mls.url + '/v2/models/mushroom/infer', rowRequest(mushroom, 1))
    expect(answer.status, answer.text).toBe(200)
    expect(answer.body.outputs[0].data[0]).toBeCloseTo(mushroom.expected.predict[1], 5)
  }, 60_000)
})
