/**
 * The base of every command that talks to a server: the flags that say where it is, one client, and a model that is
 * not found named together with the models that exist. Errors are printed by MlsCommand.
 */
import {Flags} from '@oclif/core'
import {
  ServerError,
  createClient,
  resolveCredentials,
  resolveEndpoints,
  type ClientCredentials,
  type Endpoint,
  type Endpoints,
  type MlsClient,
} from '../client/index.js'
import type {CliError} from './cli-error.js'
import {MlsCommand} from './mls-command.js'

export abstract class ClientCommand extends MlsCommand {
  static override baseFlags = {
    url: Flags.string({
      description: 'REST URL of the server (env MLS_URL; default from ./settings.json, else the one running mls start (see mls ps), else http://127.0.0.1:8080)',
      helpGroup: 'SERVER',
    }),
    'grpc-url': Flags.string({
      description: 'gRPC address host:port, grpcs://host:port for TLS (env MLS_GRPC_URL; default from ./settings.json, else the one running mls start, else 127.0.0.1:8081)',
      helpGroup: 'SERVER',
    }),
    repo: Flags.directory({description: 'model repository whose settings.json gives the ports (default: the current folder)', helpGroup: 'SERVER'}),
    grpc: Flags.boolean({description: 'talk gRPC instead of REST', default: false, helpGroup: 'SERVER'}),
    token: Flags.string({
      description: 'bearer token of the repository API, when the server sets repository_auth_token (env MLS_REPOSITORY_AUTH_TOKEN; default from ./settings.json)',
      helpGroup: 'SERVER',
    }),
    ca: Flags.file({description: 'PEM CA certificate to trust for https:// and grpcs:// URLs, e.g. a self-signed server certificate (env MLS_CA_FILE)', helpGroup: 'SERVER'}),
  }

  private clients: MlsClient[] = []

  /** Where the server is; `needs`: the addresses the command talks to (running servers are looked at only if none was given). */
  protected endpoints(flags: {url?: string; 'grpc-url'?: string; 'metrics-url'?: string; repo?: string}, needs?: readonly Endpoint[]): Endpoints {
    return resolveEndpoints({url: flags.url, grpcUrl: flags['grpc-url'], metricsUrl: flags['metrics-url'], repo: flags.repo, needs})
  }

  /**
   * Token and CA. Without --repo, the token of settings.json is read from the repository of the running server the
   * addresses came from (`endpoints`), else from the current folder.
   */
  protected credentials(flags: {repo?: string; token?: string; ca?: string}, endpoints?: Endpoints): ClientCredentials {
    return resolveCredentials({token: flags.token, ca: flags.ca, repo: flags.repo ?? endpoints?.repositoryRoot})
  }

  protected client(flags: {url?: string; 'grpc-url'?: string; repo?: string; grpc?: boolean; token?: string; ca?: string}, endpoints?: Endpoints): MlsClient {
    const where = endpoints ?? this.endpoints(flags, [flags.grpc ? 'grpc' : 'rest'])
    const client = createClient(where, {grpc: flags.grpc, credentials: this.credentials(flags, where)})
    this.clients.push(client)
    return client
  }

  protected override async explain(error: CliError): Promise<string> {
    // Also when it is the cause of the error reported (the first request of `mls test`).
    const server = error instanceof ServerError ? error : error.cause instanceof ServerError ? error.cause : undefined
    if (server?.code === 'MODEL_NOT_FOUND' && this.clients.length > 0) return error.message + (await this.knownModels())
    return error.message
  }

  /** " (models: a, b)" from the server's index, to say what does exist; empty if the index cannot be had. */
  private async knownModels(): Promise<string> {
    try {
      const names = [...new Set((await this.clients[0].repositoryIndex()).map((m) => m.name))]
      return names.length > 0 ? ` (models: ${names.join(', ')})` : ' (the repository has no models)'
    } catch {
      return ''
    }
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    await Promise.all(this.clients.map((c) => c.close()))
    return super.finally(error)
  }
}
