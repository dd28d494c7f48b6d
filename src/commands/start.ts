import {statSync} from 'node:fs'
import {Args, Flags} from '@oclif/core'
import {MlsCommand} from '../cli/mls-command.js'
import {ParseError} from '../cli/parse-error.js'
import {runStart} from '../cli/run-start.js'
import {isClusterWorker, runClusterWorker} from '../cluster/index.js'

const isDirectory = (dir: string) => statSync(dir, {throwIfNoEntry: false})?.isDirectory() === true

export default class Start extends MlsCommand {
  static override summary = 'Serve every model below a folder over the Open Inference Protocol (KServe V2).'

  static override description = `Reads DIR/settings.json (when present) and every model-settings.json below DIR, loads the models and serves them over REST.
Settings precedence: flags > environment (MLS_<FIELD>, then MLSERVER_<FIELD>) > settings.json > defaults.
Security (docs/operations.md, "Security"): repository_auth_token (env MLS_REPOSITORY_AUTH_TOKEN) guards the repository API with a bearer token; ssl_certfile / ssl_keyfile serve REST and gRPC over TLS; cors_settings turns CORS on; allow_external_uris lets model uris point outside DIR.
Stops gracefully on SIGINT / SIGTERM: readiness turns false, new requests get 503 / UNAVAILABLE, in-flight requests finish within --shutdown-grace-period seconds (then they are answered 503 and the exit code is 1); a second signal exits at once (130).
Backpressure: --max-queue-size bounds the requests a model holds (then 503 + Retry-After / RESOURCE_EXHAUSTED); --infer-timeout answers 504 / DEADLINE_EXCEEDED instead of waiting on a slow model.
With --tui (in a terminal) it shows the dashboard of \`mls monitor\` with the server's log in a pane; q stops the server gracefully.
With --watch (for development) it follows the files below DIR: a new model-settings.json loads its model, a changed model file or model-settings.json reloads that model version (the old one serves until the new one is READY; if the reload fails the old one keeps serving and the reason is logged), a deleted model-settings.json unloads it. One process only.
Without DIR, the current folder is served only if it has a settings.json or a model-settings.json at most 3 folders below (node_modules, dot-folders, test, bench, examples, templates and other code folders not counted); otherwise it exits 2 saying what to type (\`mls start .\` serves it anyway).
While it runs, a runtime file (MLS_RUNTIME_DIR, else $XDG_RUNTIME_DIR/mls, else ~/.local/share/mls/runtime) tells the client commands where it listens; \`mls ps\` lists the running servers.
Exit codes: 0 stopped gracefully, 1 failed (a port in use, requests cut off at shutdown), 2 bad usage (a flag, a folder that does not exist, invalid settings), 130 a second signal.`

  static override usage = '<%= command.id %> [DIR] [FLAGS]'

  static override examples = [
    '<%= config.bin %> start examples/multi-model',
    '<%= config.bin %> start . --http-port 9000 --host 127.0.0.1',
    '$ MLS_DEBUG=true <%= config.bin %> start ./models --strict-readiness',
    {description: 'The repository API behind a token, REST and gRPC over TLS', command: '$ MLS_REPOSITORY_AUTH_TOKEN=s3cret <%= config.bin %> start ./models --ssl-certfile cert.pem --ssl-keyfile key.pem'},
    '<%= config.bin %> start examples/multi-model --tui',
    '<%= config.bin %> start my-repo --watch --tui',
  ]

  static override args = {
    // Checked after parsing, not by oclif's exists: an unknown flag's value taken as DIR (`--htp-port 1`) would
    // otherwise be reported as a missing folder before the unknown flag.
    dir: Args.string({description: 'model repository root (default: the current folder, if it looks like one: a settings.json, or a model-settings.json up to 3 folders below)'}),
  }

  static override flags = {
    host: Flags.string({description: 'address to bind (settings: host; default 0.0.0.0)'}),
    'http-port': Flags.integer({description: 'REST port, 0 for any free port (settings: http_port; default 8080)', min: 0, max: 65535}),
    'grpc-port': Flags.integer({description: 'gRPC port (settings: grpc_port; default 8081)', min: 0, max: 65535}),
    'metrics-port': Flags.integer({description: 'metrics port (settings: metrics_port; default 8082)', min: 0, max: 65535}),
    'max-request-size': Flags.integer({description: 'largest request body in bytes (settings: max_request_size; default 64 MiB)', min: 1}),
    'strict-readiness': Flags.boolean({description: 'ready only when every model found at start-up is READY', allowNo: true}),
    'load-models-at-startup': Flags.boolean({description: 'load every model at start-up (default true)', allowNo: true}),
    debug: Flags.boolean({description: 'log debug messages (settings: debug)', allowNo: true}),
    'server-name': Flags.string({description: 'name reported by GET /v2 (settings: server_name)'}),
    processes: Flags.integer({description: 'processes serving the same ports, each with every model (settings: processes; default 1)', min: 1, max: 256}),
    'ssl-certfile': Flags.string({description: 'PEM certificate (chain): serve REST and gRPC over TLS; needs --ssl-keyfile (settings: ssl_certfile)'}),
    'ssl-keyfile': Flags.string({description: 'PEM private key of --ssl-certfile (settings: ssl_keyfile)'}),
    'max-response-size': Flags.integer({description: 'largest answer in raw output tensor bytes; more is 400 RESPONSE_TOO_LARGE (settings: max_response_size; default: max_request_size)', min: 1}),
    'memory-budget': Flags.string({description: 'bytes the loaded models may hold, e.g. 512MiB; models then load on demand and the least recently used are evicted (settings: memory_budget; default: none)'}),
    'cache-enabled': Flags.boolean({description: 'serve repeated requests from the response cache, for the models whose model-settings.json has cache_enabled (settings: cache_enabled; default false)', allowNo: true}),
    'cache-size': Flags.integer({description: 'answers the response cache holds per process, least recently used dropped first (settings: cache_size; default 100)', min: 1}),
    'cache-max-bytes': Flags.string({description: 'output tensor bytes the response cache holds per process, e.g. 64MiB (settings: cache_max_bytes; default 64MiB)'}),
    'max-connections': Flags.integer({description: 'open connections per transport (REST, gRPC); at the cap the oldest idle one is closed, else the new one is refused (settings: max_connections; default 4096)', min: 1}),
    'max-queue-size': Flags.integer({description: 'requests a model version holds (waiting or running) before it answers 503 QUEUE_FULL; 0: no bound (settings: max_queue_size; default 0)', min: 0}),
    'infer-timeout': Flags.string({description: 'seconds a request may take before it is answered 504 INFER_TIMEOUT; 0: none (settings: infer_timeout; default 0)'}),
    'shutdown-grace-period': Flags.string({description: 'seconds SIGTERM / SIGINT, and an unload or reload of a model, wait for in-flight requests (settings: shutdown_grace_period; default 30)'}),
    'grpc-stream-format': Flags.string({description: 'ModelStreamInfer\'s messages: "mlserver" (plain ModelInferResponse) or "triton" (ModelStreamInferResponse, errors in-stream, as tritonclient\'s start_stream expects) (settings: grpc_stream_format; default mlserver)'}),
    'gzip-enabled': Flags.boolean({description: 'compress REST answers for clients that send Accept-Encoding gzip or deflate (settings: gzip_enabled; default true)', allowNo: true}),
    'gzip-minimum-size': Flags.integer({description: 'bytes below which a REST answer is never compressed (settings: gzip_minimum_size; default 1000)', min: 0}),
    'tracing-server': Flags.string({description: 'host:port of an OTLP/gRPC collector: every inference is traced and its spans exported there (settings: tracing_server; the OTEL_EXPORTER_OTLP_* variables also turn tracing on)'}),
    tui: Flags.boolean({description: 'show the live dashboard (as mls monitor) with the log in a pane; needs a terminal'}),
    watch: Flags.boolean({description: 'load, reload and unload models as their files change below DIR (development; one process)'}),
  }

  // Messages read on from the command's name (`mls start: invalid settings ...`).
  protected override errorLabel(): string {
    return `${this.config.bin} start`
  }

  async run(): Promise<void> {
    // A process forked by `--processes N`: its settings come from the primary.
    if (isClusterWorker()) return runClusterWorker()
    const {args, flags} = await this.parse(Start)
    if (args.dir !== undefined && !isDirectory(args.dir)) throw new ParseError(`no folder at ${args.dir}`)
    const code = await runStart({root: args.dir, flags, watch: flags.watch, tui: flags.tui, version: this.config.version})
    // Something cut off (a runtime that never returns) may still hold the event loop: exit now.
    if (code !== 0) process.exit(code)
  }
}
