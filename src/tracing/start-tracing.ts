/**
 * Tracing at start-up: undefined when it is not configured (tracing-config.ts), and then no OpenTelemetry module is
 * loaded; else the SDK is imported and an exporter made for the configured collector.
 */
import type {Logger} from '../logger.js'
import type {InferenceTracer} from './inference-trace.js'
import {tracingConfig} from './tracing-config.js'

export async function startTracing(settings: {readonly tracing_server: string | null; readonly server_name: string}, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<InferenceTracer | undefined> {
  const config = tracingConfig(settings.tracing_server, env)
  if (config === undefined) return undefined
  const {createOtelTracer} = await import('./otel-tracer.js')
  const tracer = await createOtelTracer(config, settings.server_name)
  const where = config.url ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT
  logger.info(`tracing: spans exported over OTLP (${config.protocol}) to ${where} (${config.source})`, {event: 'tracing', protocol: config.protocol, endpoint: where})
  return tracer
}
