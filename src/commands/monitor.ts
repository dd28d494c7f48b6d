import {Flags} from '@oclif/core'
import {ClientCommand} from '../cli/client-command.js'
import {runMonitor} from '../cli/run-monitor.js'
import {toMonitorJson, type MonitorJson} from '../tui/state/monitor-json.js'
import {plainReport} from '../tui/state/plain-report.js'

export default class Monitor extends ClientCommand {
  static override summary = 'A live dashboard of a running server: models, request rates, latencies.'

  static override description = `Attaches to a running server and shows, refreshed every --interval: the server's name, version and health; each model version's state (and reason), requests/s, error rate, p50 / p99 latency and in-flight requests over the last few polls; a sparkline of total requests/s; failed requests by error code and requests to unknown models; the latest events (state changes, failed requests).
Reads only public endpoints (health, GET /v2, the repository index (with --token when the server protects it), the metrics endpoint), so it also watches other Open Inference Protocol servers with the repository extension; what a server does not expose shows as "-".
Keys: arrows or j / k select a model, Enter shows its detail (Esc goes back), s sorts by name / rate / p99 / errors (S reverses), l loads it, u unloads it (after y), r refreshes, / filters, ? shows help, q quits. Polling is over REST; --grpc sends load and unload over gRPC.
When stdin or stdout is not a terminal (or with --json) it prints one snapshot, two polls one interval apart, and exits 0.`

  static override examples = [
    '<%= config.bin %> monitor',
    {description: 'A server on other ports', command: '<%= config.bin %> monitor --url http://127.0.0.1:9080 --metrics-url http://127.0.0.1:9082/metrics'},
    '<%= config.bin %> monitor --repo examples/multi-model --interval 500',
    '<%= config.bin %> monitor --json | jq .models',
  ]

  static override enableJsonFlag = true
  static override usage = '<%= command.id %> [FLAGS]'

  static override flags = {
    'metrics-url': Flags.string({description: 'metrics URL (env MLS_METRICS_URL; default from ./settings.json, else the one running mls start, else http://127.0.0.1:8082/metrics)', helpGroup: 'SERVER'}),
    interval: Flags.integer({description: 'milliseconds between polls', default: 1000, min: 100}),
  }

  async run(): Promise<MonitorJson | undefined> {
    const {flags} = await this.parse(Monitor)
    const endpoints = this.endpoints(flags, ['rest', 'metrics', ...(flags.grpc ? (['grpc'] as const) : [])])
    const view = await runMonitor({
      url: endpoints.rest,
      origin: endpoints.origin.rest,
      metricsUrl: endpoints.metrics,
      client: this.client(flags, endpoints),
      credentials: this.credentials(flags, endpoints),
      intervalMs: flags.interval,
      snapshot: this.jsonEnabled(),
    })
    if (view === undefined) return undefined
    if (!this.jsonEnabled()) this.log(plainReport(view))
    return toMonitorJson(view)
  }
}
