import {Args, Command, Flags} from '@oclif/core'
import {SettingsError} from '../errors.js'
import {createLogger} from '../logger.js'
import {startServer} from '../server/index.js'
import {loadServerSettings} from '../settings/load-server-settings.js'

export default class Start extends Command {
  static override summary = 'Serve every model below a folder over the Open Inference Protocol (KServe V2).'

  static override description = `Reads DIR/settings.json (when present) and every model-settings.json below DIR, loads the models and serves them over REST.
Settings precedence: flags > environment (MLS_<FIELD>, then MLSERVER_<FIELD>) > settings.json > defaults.
Stops gracefully on SIGINT / SIGTERM (in-flight requests finish); a second signal exits at once.`

  static override examples = [
    '<%= config.bin %> start examples/multi-model',
    '<%= config.bin %> start . --http-port 9000 --host 127.0.0.1',
    'MLS_DEBUG=true <%= config.bin %> start ./models --strict-readiness',
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
  }

  async run(): Promise<void> {
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
        },
      })
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error
      // Printed as is (oclif's error box would re-wrap file paths); exit 2: the configuration is unusable.
      process.stderr.write(`mls start: invalid settings (SETTINGS_INVALID)\n${error.message}\n`)
      return this.exit(2)
    }
    const {settings, file, warnings} = loaded
    const logger = createLogger({debug: settings.debug, structured: settings.use_structured_logging})
    logger.info(`mls ${this.config.version}: settings from ${file ?? 'defaults (no settings.json)'}`)
    for (const warning of warnings) logger.warn(warning)
    logger.debug(`resolved settings: ${JSON.stringify(settings)}`)

    let server
    try {
      server = await startServer(settings, logger)
    } catch (error) {
      logger.error(`cannot start: ${(error as Error).message}`)
      return this.exit(1)
    }
    await new Promise<void>((resolve) => {
      let signalled = false
      const stop = (signal: NodeJS.Signals) => {
        if (signalled) {
          logger.warn(`${signal} again: exiting at once`)
          process.exit(130)
        }
        signalled = true
        logger.info(`${signal}: shutting down (in-flight requests finish first)`)
        server.close().then(resolve, (error: Error) => {
          logger.error(`shutdown failed: ${error.message}`)
          process.exit(1)
        })
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    logger.info('stopped')
  }
}
