import {Args, Flags} from '@oclif/core'
import {MlsCommand} from '../cli/mls-command.js'
import {DEFAULT_BASE_IMAGE} from '../deploy/dockerfile.js'
import {writeDockerfile, type WriteDockerfileResult} from '../deploy/write-dockerfile.js'

export default class Dockerfile extends MlsCommand {
  static override summary = 'Write a Dockerfile for an image that serves a model repository.'

  static override description = `As mlserver dockerfile. Writes DIR/Dockerfile (and DIR/.dockerignore when there is none): FROM the mls image, with DIR copied to /mnt/models, run as a non-root user, ports 8080 (REST), 8081 (gRPC), 8082 (metrics) and a HEALTHCHECK on /v2/health/ready. When DIR has a package.json (custom runtimes' dependencies) they are installed with npm ci.
Build the mls base image first from the mls repository (docker build -t ${DEFAULT_BASE_IMAGE} .), or pass --base-image.
Never overwrites a Dockerfile unless --force. Exit codes: 0 written, 2 bad usage or the Dockerfile exists.`

  static override examples = [
    '<%= config.bin %> dockerfile my-repo && docker build -t my-models my-repo',
    '<%= config.bin %> dockerfile . --base-image registry.example.com/mls:0.1.0 --force',
  ]

  static override enableJsonFlag = true
  static override snakeCaseJson = true
  static override usage = '<%= command.id %> [DIR] [FLAGS]'

  static override args = {
    dir: Args.string({description: 'model repository folder', default: '.'}),
  }

  static override flags = {
    force: Flags.boolean({char: 'f', description: 'overwrite an existing Dockerfile'}),
    'base-image': Flags.string({description: `mls image to build from (default ${DEFAULT_BASE_IMAGE})`}),
  }

  // Messages read on from the command's name; printed as is (oclif's error box re-wraps paths and multi-line advice).
  protected override errorLabel(): string {
    return `${this.config.bin} dockerfile`
  }

  async run(): Promise<WriteDockerfileResult> {
    const {args, flags} = await this.parse(Dockerfile)
    const result = writeDockerfile(args.dir, {force: flags.force, baseImage: flags['base-image']})
    this.log(`wrote ${result.dockerfile}${result.dockerignore ? ` and ${result.dockerignore}` : ''} (FROM ${result.baseImage})`)
    this.log(`build: docker build -t my-models ${args.dir}`)
    return result
  }
}
