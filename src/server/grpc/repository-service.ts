/**
 * The repository rpcs, served on GRPCInferenceService (as MLServer) and as inference.model_repository.ModelRepositoryService.
 * With repository_auth_token set, each needs metadata `authorization: Bearer <token>` (else UNAUTHENTICATED).
 */
import type * as grpc from '@grpc/grpc-js'
import type {DataPlane} from '../../dataplane/dataplane.js'
import type {RepositoryIndexRequestMessage, RepositoryIndexResponseMessage, RepositoryModelRequestMessage} from '../../protocol/grpc-messages.js'
import {unary, type HandlerContext, type Unary} from './handlers.js'

/** `fn` behind the context's token guard, if it has one. */
function guarded<Req, Res>(context: HandlerContext, fn: Unary<Req, Res>): Unary<Req, Res> {
  const auth = context.repositoryAuth
  if (auth === undefined) return fn
  return (request, call) => {
    const refused = auth.check(call.metadata.get('authorization')[0]?.toString())
    if (refused !== undefined) throw refused.error
    return fn(request, call)
  }
}

export function repositoryHandlers(dataplane: DataPlane, context: HandlerContext): grpc.UntypedServiceImplementation {
  return {
    RepositoryIndex: unary(
      context,
      'RepositoryIndex',
      guarded(context, async (r: RepositoryIndexRequestMessage): Promise<RepositoryIndexResponseMessage> => ({
        // proto3 cannot tell ready=false from absent: false lists every model, as Triton does.
        models: (await dataplane.serverIndex(r.ready ? {ready: true} : {})).map((m) => ({...m, version: m.version ?? ''})),
      })),
    ),
    RepositoryModelLoad: unary(
      context,
      'RepositoryModelLoad',
      guarded(context, async (r: RepositoryModelRequestMessage) => {
        await dataplane.loadModel(r.model_name, r.parameters)
        return {}
      }),
    ),
    RepositoryModelUnload: unary(
      context,
      'RepositoryModelUnload',
      guarded(context, async (r: RepositoryModelRequestMessage) => {
        await dataplane.unloadModel(r.model_name)
        return {}
      }),
    ),
  }
}
