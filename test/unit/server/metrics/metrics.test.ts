import {AggregatorRegistry} from 'prom-client'
import {describe, expect, it} from 'vitest'
import {Metrics} from '../../../../src/server/metrics/metrics.js'

const ROUTE = '/v2/models/:model_name/infer'

/** Known traffic: 3 REST inferences of m:v1 (one failed), one gRPC call. */
function traffic(): Metrics {
  const metrics = new Metrics({restPrefix: 'rest_server'})
  for (const [ok, seconds] of [[true, 0.0004], [true, 0.003], [false, 0.2]] as const) {
    metrics.restStarted('POST', ROUTE)
    metrics.inference('m', 'v1', seconds, ok)
    metrics.restFinished('POST', ROUTE, ok ? 200 : 400, seconds)
  }
  metrics.grpcFinished('ModelInfer', 'OK', 0.001)
  return metrics
}

describe('metrics', () => {
  it('count each request path in its families, with their labels', async () => {
    const text = await traffic().text()
    expect(text).toContain('model_infer_request_success_total{model="m",version="v1"} 2')
    expect(text).toContain('model_infer_request_failure_total{model="m",version="v1"} 1')
    expect(text).toContain('model_infer_request_duration_bucket{le="0.0005",model="m",version="v1"} 1')
    expect(text).toContain('model_infer_request_duration_bucket{le="0.005",model="m",version="v1"} 2')
    expect(text).toContain('model_infer_request_duration_count{model="m",version="v1"} 3')
    expect(text).toContain(`rest_server_requests_total{method="POST",path="${ROUTE}",status="200"} 2`)
    expect(text).toContain(`rest_server_requests_total{method="POST",path="${ROUTE}",status="400"} 1`)
    expect(text).toContain(`rest_server_requests_in_progress{method="POST",path="${ROUTE}"} 0`)
    expect(text).toContain(`rest_server_requests_duration_seconds_count{method="POST",path="${ROUTE}"} 3`)
    expect(text).toContain('grpc_server_handled_total{grpc_method="ModelInfer",grpc_code="OK"} 1')
    expect(text).toContain('grpc_server_handling_seconds_bucket{le="+Inf",grpc_method="ModelInfer"} 1')
  })

  it('count failures by error code per version, and unknown models without their name', async () => {
    const metrics = new Metrics({restPrefix: 'rest_server'})
    metrics.inferenceFailed('m', 'v1', 'INVALID_SHAPE')
    metrics.inferenceFailed('m', 'v1', 'INVALID_SHAPE')
    metrics.inferenceFailed('m', undefined, 'MODEL_UNAVAILABLE')
    metrics.unknownModel('MODEL_NOT_FOUND')
    const text = await metrics.text()
    expect(text).toContain('mls_infer_errors_total{model="m",version="v1",code="INVALID_SHAPE"} 2')
    expect(text).toContain('mls_infer_errors_total{model="m",version="",code="MODEL_UNAVAILABLE"} 1')
    expect(text).toContain('mls_infer_unknown_model_total{code="MODEL_NOT_FOUND"} 1')
    expect(text).toContain('mls_infer_unknown_model_total{code="MODEL_VERSION_NOT_FOUND"} 0')
  })

  it('expose a failure count of 0 from a version first inference on', async () => {
    const metrics = new Metrics({restPrefix: 'rest_server'})
    metrics.inference('m', undefined, 0.001, true)
    const text = await metrics.text()
    expect(text).toContain('model_infer_request_success_total{model="m",version=""} 1')
    expect(text).toContain('model_infer_request_failure_total{model="m",version=""} 0')
  })

  it('have a model_state series for each state, NOT_LOADED (memory_budget) included', async () => {
    const metrics = new Metrics({restPrefix: 'rest_server'})
    metrics.state('m', 'v1', 'READY')
    let text = await metrics.text()
    expect(text).toContain('model_state{model="m",version="v1",state="READY"} 1')
    expect(text).toContain('model_state{model="m",version="v1",state="NOT_LOADED"} 0')
    // Evicted: the index says NOT_LOADED (a state of servers with a budget, not in ModelState on every branch).
    metrics.state('m', 'v1', 'NOT_LOADED' as Parameters<Metrics['state']>[2])
    text = await metrics.text()
    expect(text).toContain('model_state{model="m",version="v1",state="NOT_LOADED"} 1')
    expect(text).toContain('model_state{model="m",version="v1",state="READY"} 0')
  })

  it('sum across processes (the multi-process primary aggregates the workers registries)', async () => {
    const merged = AggregatorRegistry.aggregate([await traffic().registry.getMetricsAsJSON(), await traffic().registry.getMetricsAsJSON()])
    const text = await merged.metrics()
    expect(text).toContain('model_infer_request_success_total{model="m",version="v1"} 4')
    expect(text).toContain('model_infer_request_duration_count{model="m",version="v1"} 6')
    expect(text).toContain(`rest_server_requests_total{method="POST",path="${ROUTE}",status="400"} 2`)
  })
})
