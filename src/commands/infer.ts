import {Flags} from '@oclif/core'
import {ClientCommand} from '../cli/client-command.js'
import {ParseError} from '../cli/parse-error.js'
import {buildRequest, parseInputText, readInputText} from '../cli/infer-input.js'
import {formatResponse} from '../cli/output-table.js'
import type {InferenceResponse} from '../protocol/types.js'
import {newTraceparent} from '../tracing/traceparent.js'

/** --delimiter's value: "tab" (or "\\t") for a tab, else the one character given. */
function delimiterFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (value === 'tab' || value === '\\t') return '\t'
  if ([...value].length !== 1) throw new ParseError(`--delimiter takes one character or "tab", found ${JSON.stringify(value)}`)
  return value
}

export default class Infer extends ClientCommand {
  static override summary = 'Send one inference request and print the outputs.'
  static override description = `The request comes from --input FILE, --data, or stdin: a V2 inference request ({"inputs": [...]}), or plain values (a JSON array, flat or nested, or CSV rows) that are wrapped into the model's one input using its metadata. Prints the outputs as a table; --json prints the V2 response.
CSV may start with a header row (as pandas' to_csv writes; an unnamed first column, pandas' index, is left out) and use ",", ";", tabs or "|" (detected, or --delimiter). When every column names an input of the model, each column is sent as that input; otherwise the rows go to the model's one input.`
  static override enableJsonFlag = true
  static override usage = '<%= command.id %> --model <value> [--input <value> | --data <value>] [--stream | --trace] [FLAGS]'
  static override examples = [
    '<%= config.bin %> infer --model mnist_sklearn --version v1.0.0 --input row.json',
    {description: 'Ask for one output only', command: '<%= config.bin %> infer --model mushroom_xgboost --data "[[1,0,0,...,1]]" --output predict_proba'},
    '$ cat rows.csv | <%= config.bin %> infer --model mnist_sklearn --grpc',
    '<%= config.bin %> infer --model llm --data \'{"inputs": [...]}\' --stream',
  ]
  static override flags = {
    model: Flags.string({char: 'm', description: 'model name', required: true}),
    version: Flags.string({char: 'v', description: 'model version (default: the server\'s default version)'}),
    input: Flags.file({char: 'i', description: 'request file: V2 request JSON, a JSON array, or CSV (not with --data)', exists: false, exclusive: ['data']}),
    data: Flags.string({char: 'd', description: 'request as a JSON string (not with --input)', exclusive: ['input']}),
    delimiter: Flags.string({description: 'CSV delimiter: ",", ";", "tab" or any one character (default: detected from the first line)'}),
    output: Flags.string({char: 'o', description: 'output to request (repeatable; default: every output)', multiple: true}),
    stream: Flags.boolean({
      description: 'print the answers as the server sends them (REST infer_stream, gRPC ModelStreamInfer): several from a model that streams; with --json one JSON line each',
      default: false,
    }),
    trace: Flags.boolean({description: 'start a trace: send a new W3C traceparent (REST header, gRPC metadata) and print its trace id (on stderr), to find the server\'s spans (not with --stream: the streaming endpoints are not traced)', exclusive: ['stream']}),
  }

  async run(): Promise<InferenceResponse | undefined> {
    const {flags} = await this.parse(Infer)
    const client = this.client(flags)
    const {text, source} = await readInputText({data: flags.data, input: flags.input})
    const request = await buildRequest(parseInputText(text, source, {delimiter: delimiterFlag(flags.delimiter)}), () => client.modelMetadata(flags.model, flags.version), flags.output ?? [])
    if (flags.stream) {
      let first = true
      for await (const response of client.inferStream(flags.model, flags.version, request)) {
        if (this.jsonEnabled()) process.stdout.write(JSON.stringify(response) + '\n')
        else this.log((first ? '' : '\n') + formatResponse(response))
        first = false
      }
      return undefined
    }
    const trace = flags.trace ? newTraceparent() : undefined
    // Before the request: a failed one is the one to look up.
    if (trace !== undefined) this.logToStderr(`trace id: ${trace.traceId}`)
    const response = await client.infer(flags.model, flags.version, request, {traceparent: trace?.traceparent})
    this.log(formatResponse(response))
    return response
  }
}
