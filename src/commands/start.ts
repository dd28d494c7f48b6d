import {Args, Command, Flags} from '@oclif/core'
import {runServerDashboard} from '../cli/server-dashboard.js'
import {isClusterWorker, runClusterPrimary, runClusterWorker} from '../cluster/index.js'
import {SettingsError} from '../errors.js'
import {createLogger} from '../logger.js'
import {gracefulStop} from '../server/graceful-stop.js'
import {startServer} from '../server/index.js'
import {loadServerSettings} from '../settings/load-server-settings.js'
import {redactSettings} from '../settings/server-settings.js'
import {LogBuffer} from '../tui/sources/log-buffer.js'
import {canShowDashboard} from '../tui/terminal/load-renderer.js'

export default class Start extends Command {
  static override summary = 'Serve every model below a folder over the Open Inference Protocol (KServe V2).'

  static override description = `Reads DIR/settings.json (when present) and every model-settings.json below DIR, loads the models and serves them over REST.
Settings precedence: flags > environment (MLS_<FIELD>, then MLSERVER_<FIELD>) > settings.json > defaults.
Security (README "Security"): repository_auth_token (env MLS_REPOSITORY_AUTH_TOKEN) guards the repository API with a bearer token; ssl_certfile / ssl_keyfile serve REST and gRPC over TLS; cors_settings turns CORS on; allow_external_uris lets model uris point outside DIR.
Stops gracefully on SIGINT / SIGTERM: readiness turns false, new requests get 503 / UNAVAILABLE, in-flight requests
finish within --shutdown-grace-period seconds (then they are answered 503 and the exit code is 1); a second signal
exits at once (130).
Backpressure: --max-queue-size bounds the requests a model holds (then 503 + Retry-After / RESOURCE_EXHAUSTED);
--infer-timeout answers 504 / DEADLINE_EXCEEDED instead of waiting on a slow model.
With --tui (in a terminal) it shows the dashboard of \`mls monitor\` with the server's log in a pane; q stops the server gracefully.
With --watch (for development) it follows the files below DIR: a new model-settings.json loads its model, a changed
model file or model-settings.json reloads that model version (the old one serves until the new one is READY; if the
reload fails the old one keeps serving and the reason is logged), a deleted model-settings.json unloads it. One process only.`

  static override examples = [
    '<%= config.bin %> start examples/multi-model',
    '<%= config.bin %> start . --http-port 9000 --host 127.0.0.1',
    'MLS_DEBUG=true <%= config.bin %> start ./models --strict-readiness',
    'MLS_REPOSITORY_AUTH_TOKEN=s3cret <%= config.bin %> start ./models --ssl-certfile cert.pem --ssl-keyfile key.pem',
    '<%= config.bin %> start examples/multi-model --tui',
    '<%= config.bin %> start my-repo --watch --tui',
  ]

  static override args = {
    dir: Args.directory({description: 'model repository root (default: the current folder)', exists: true}),
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
    'max-queue-size': Flags.integer({description: 'requests a model version holds (waiting or running) before it answers 503 QUEUE_FULL; 0: no bound (settings: max_queue_size; default 0)', min: 0}),
    'infer-timeout': Flags.string({description: 'seconds a request may take before it is answered 504 INFER_TIMEOUT; 0: none (settings: infer_timeout; default 0)'}),
    'shutdown-grace-period': Flags.string({description: 'seconds SIGTERM / SIGINT, and an unload or reload of a model, wait for in-flight requests (settings: shutdown_grace_period; default 30)'}),
    tui: Flags.boolean({description: 'show the live dashboard (as mls monitor) with the log in a pane; needs a terminal'}),
    watch: Flags.boolean({description: 'load, reload and unload models as their files change below DIR (development; one process)'}),
  }

  async run(): Promise<void> {
    // A process forked by `--processes N`: its settings come from the primary.
    if (isClusterWorker()) return runClusterWorker()
    const {args, flags} = await this.parse(Start)
    let loaded
    try {
      loaded = loadServerSettings({
        root: args.dir,
        flags: {
          host: flags.host,
          http_port: flags['http-port'],
          grpc_port: flags['grpc-port'],
          metrics_port: flags['metrics-port'],
          max_request_size: flags['max-request-size'],
          strict_readiness: flags['strict-readiness'],
          load_models_at_startup: flags['load-models-at-startup'],
          debug: flags.debug,
          server_name: flags['server-name'],
          processes: flags.processes,
          ssl_certfile: flags['ssl-certfile'],
          ssl_keyfile: flags['ssl-keyfile'],
          max_queue_size: flags['max-queue-size'],
          infer_timeout: flags['infer-timeout'],
          shutdown_grace_period: flags['shutdown-grace-period'],
        },
      })
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      // Printed as is (oclif's error box would re-wrap file paths); exit 2: the configuration is unusable.
      process.stderr.write(`mls start: invalid settings (SETTINGS_INVALID)\n${error.message}\n`)
      return this.exit(2)
    }
    const {settings, file, warnings} = loaded
    if (flags.watch && settings.processes > 1) {
      // Each process would watch and reload on its own, at different moments: refused rather than half-supported.
      process.stderr.write(`mls start: --watch works with one process, and processes is ${settings.processes}; drop --processes (or MLS_PROCESSES / processes in settings.json) while developing\n`)
      return this.exit(2)
    }
    const dashboard = flags.tui && settings.processes === 1 && canShowDashboard()
    // With the dashboard the log goes to its pane, never over the screen.
    const log = dashboard ? new LogBuffer() : undefined
    const logger = createLogger({debug: settings.debug, structured: settings.use_structured_logging, write: log?.write})
    if (flags.tui && settings.processes > 1) logger.warn('--tui is not available with more than one process: serving without the dashboard')
    else if (flags.tui && !dashboard) logger.warn('--tui needs a terminal on stdin and stdout: serving without the dashboard')
    logger.info(`mls ${this.config.version}: settings from ${file ?? 'defaults (no settings.json)'}`)
    for (const warning of warnings) logger.warn(warning)
    logger.debug(`resolved settings: ${JSON.stringify(redactSettings(settings))}`)

    if (settings.processes > 1) {
      await runClusterPrimary(settings, logger)
      logger.info('stopped')
      return
    }
    let server
    try {
      server = await startServer(settings, logger, {watch: flags.watch})
    } catch (error) {
      logger.error(`cannot start: ${(error as Error).message}`)
      log?.passThrough((line) => process.stderr.write(line + '\n'), Number.POSITIVE_INFINITY)
      return this.exit(1)
    }
    const code = log ? await runServerDashboard({server, logger, log}) : await gracefulStop(server, logger).stopped
    logger.info(code === 0 ? 'stopped' : `stopped (exit code ${code}: the shutdown grace period ran out)`)
    // Something cut off (a runtime that never returns) may still hold the event loop: exit now.
    if (code !== 0) process.exit(code)
  }
}
