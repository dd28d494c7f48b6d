/**
 * Failed inferences by stable error code (src/errors.ts): per model version, and requests to models the repository
 * does not have, without their name. Label values are bounded: versions the repository has, and the fixed set of codes.
 */
import {Counter, type Registry} from 'prom-client'
import type {ErrorCode} from '../../errors.js'

/** The two families: mls_infer_errors_total{model, version, code} and mls_infer_unknown_model_total{code}. */
export class ErrorMetrics {
  private readonly byCode: Counter<'model' | 'version' | 'code'>
  private readonly unknown: Counter<'code'>

  constructor(registry: Registry) {
    const registers = [registry]
    this.byCode = new Counter({
      name: 'mls_infer_errors_total',
      help: 'Failed inference requests of a model version the repository has, by error code (refused before running included)',
      labelNames: ['model', 'version', 'code'],
      registers,
    })
    this.unknown = new Counter({name: 'mls_infer_unknown_model_total', help: 'Inference requests naming a model or version the repository does not have', labelNames: ['code'], registers})
    // Both series exist from the start, at 0: an alert on a rate needs the series before the first event.
    for (const code of ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND']) this.unknown.labels({code}).inc(0)
  }

  inferenceFailed(model: string, version: string | undefined, code: ErrorCode): void {
    this.byCode.labels({model, version: version ?? '', code}).inc()
  }

  unknownModel(code: ErrorCode): void {
    this.unknown.labels({code}).inc()
  }
}
