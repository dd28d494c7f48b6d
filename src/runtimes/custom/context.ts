/** The RuntimeContext a runtime is made with, from the server's parts (or quiet defaults outside a server). */
import {createLogger} from '../../logger.js'
import type {ModelSettings} from '../../settings/model-settings.js'
import type {RuntimeContext, RuntimeLogger, RuntimeMetricsProvider} from '../runtime.js'
import {NO_METRICS_PROVIDER} from './no-metrics.js'

export interface ContextParts {
  readonly metrics?: RuntimeMetricsProvider
  readonly logger?: RuntimeLogger
}

let fallbackLogger: RuntimeLogger | undefined

export function runtimeContext(settings: ModelSettings, parts: ContextParts = {}): RuntimeContext {
  const logger = parts.logger ?? (fallbackLogger ??= createLogger({debug: false}))
  return Object.freeze({settings, metrics: (parts.metrics ?? NO_METRICS_PROVIDER).forModel(settings.name, settings.version), logger})
}
