import {Args, Flags} from '@oclif/core'
import {MlsCommand} from '../cli/mls-command.js'
import {EXAMPLES} from '../init/example-plan.js'
import {DEFAULT_MODEL_NAME} from '../init/names.js'
import {runInit} from '../init/run-init.js'
import {RUNTIME_FLAG_OPTIONS} from '../init/runtimes.js'
import {summarize} from '../init/summary.js'
import {toJson, type InitJson} from '../init/to-json.js'
import {canPrompt, lazyTerminalPrompter} from '../init/terminal-prompter.js'

const MODEL_FLAGS = ['name', 'runtime', 'model-file', 'version']
const SETTINGS_FLAGS = ['host', 'http-port', 'grpc-port', 'metrics-port']

export default class Init extends MlsCommand {
  static override summary = 'Scaffold a model repository that mls start serves.'

  static override description = `Writes DIR/settings.json and DIR/models/<name>/model-settings.json from the templates bundled with mls, and copies the model file in (as model.onnx, model.json or model.ubj). Without --runtime the runtime comes from the model file: .onnx -> onnx, .json / .ubj -> xgboost. Pickles (.joblib, .pkl, .pickle) are refused: export them to ONNX.
When stdin and stdout are a terminal and the model name or runtime is neither given nor detectable, init asks; otherwise it uses "${DEFAULT_MODEL_NAME}" and onnx.
Never overwrites a file unless --force. To add a model to an existing repository, use --skip-settings.
Exit codes: 0 written, 1 failed (nothing or part written, as the message says), 2 bad usage or a file would be overwritten.`

  static override examples = [
    {description: 'Serve an ONNX model exported from scikit-learn', command: '<%= config.bin %> init my-repo --model-file ./model.onnx --runtime sklearn --name digits --version v1'},
    {description: 'An XGBoost model (the runtime is detected from .json)', command: '<%= config.bin %> init my-repo --model-file ./mushroom.json'},
    {description: 'Add a second model to that repository', command: '<%= config.bin %> init my-repo --skip-settings --model-file ./other.onnx --name other'},
    {description: 'Copy the bundled two-model example, then serve it', command: '<%= config.bin %> init demo --example multi-model && <%= config.bin %> start demo'},
    {description: 'No questions, machine-readable output', command: '<%= config.bin %> init . --name my-model --runtime onnx --json'},
  ]

  static override enableJsonFlag = true
  static override snakeCaseJson = true
  static override usage = [
    '<%= command.id %> [DIR] [--model-file <value>] [--name <value>] [--runtime <value>] [FLAGS]',
    '<%= command.id %> [DIR] --example multi-model|custom-runtime [FLAGS]',
  ]

  static override args = {
    dir: Args.string({description: 'folder of the model repository, created when missing', default: '.'}),
  }

  static override flags = {
    name: Flags.string({description: `model name: letters, digits, "_" and "-" (default: the model file's name, or its folder's for model.*; else ${DEFAULT_MODEL_NAME})`}),
    runtime: Flags.string({description: 'runtime (default: detected from --model-file, else onnx); custom writes a TypeScript runtime skeleton and its test set', options: [...RUNTIME_FLAG_OPTIONS]}),
    'model-file': Flags.string({description: 'model file to copy into models/<name>/ (.onnx, or XGBoost .json / .ubj)'}),
    version: Flags.string({description: 'model version (model-settings.json: parameters.version)'}),
    host: Flags.string({description: 'address the server binds (settings.json: host; default 0.0.0.0)'}),
    'http-port': Flags.integer({description: 'REST port (settings.json: http_port; default 8080)', min: 0, max: 65535}),
    'grpc-port': Flags.integer({description: 'gRPC port (settings.json: grpc_port; default 8081)', min: 0, max: 65535}),
    'metrics-port': Flags.integer({description: 'metrics port (settings.json: metrics_port; default 8082)', min: 0, max: 65535}),
    force: Flags.boolean({char: 'f', description: 'overwrite files that exist'}),
    'skip-settings': Flags.boolean({description: 'leave settings.json out (add a model to an existing repository; not with --host and the port flags)', exclusive: SETTINGS_FLAGS}),
    example: Flags.string({description: 'copy a bundled example repository instead of scaffolding a model (not with --name, --runtime, --model-file, --version)', options: [...EXAMPLES], exclusive: MODEL_FLAGS}),
    yes: Flags.boolean({char: 'y', description: 'never ask: use the defaults for anything not given'}),
  }

  // Messages read on from the command's name; printed as is (oclif's error box re-wraps paths and multi-line advice).
  protected override errorLabel(): string {
    return `${this.config.bin} init`
  }

  async run(): Promise<InitJson> {
    const {args, flags} = await this.parse(Init)
    const interactive = canPrompt() && !flags.yes && !this.jsonEnabled()
    const result = await runInit({
      dir: args.dir,
      force: flags.force,
      skipSettings: flags['skip-settings'],
      example: flags.example,
      model: {name: flags.name, runtime: flags.runtime, modelFile: flags['model-file'], version: flags.version},
      settings: {host: flags.host, http_port: flags['http-port'], grpc_port: flags['grpc-port'], metrics_port: flags['metrics-port']},
      prompter: interactive ? lazyTerminalPrompter() : undefined,
    })
    this.log(summarize(result, this.config.bin))
    return toJson(result)
  }
}
