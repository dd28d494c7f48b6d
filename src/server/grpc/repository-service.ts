/** The repository rpcs, served on GRPCInferenceService (as MLServer) and as inference.model_repository.ModelRepositoryService. */
import type * as grpc from '@grpc/grpc-js'
import type {DataPlane} from '../../dataplane/dataplane.js'
import {unary, type HandlerContext} from './handlers.js'

export function repositoryHandlers(dataplane: DataPlane, context: HandlerContext): grpc.UntypedServiceImplementation {
  return {
    RepositoryIndex: unary(context, 'RepositoryIndex', (r: {ready?: boolean}) => ({
      // proto3 cannot tell ready=false from absent: false lists every model, as Triton does.
      models: dataplane.repositoryIndex(r.ready ? {ready: true} : {}).map((m) => ({...m, version: m.version ?? ''})),
    })),
    RepositoryModelLoad: unary(context, 'RepositoryModelLoad', async (r: {model_name: string}) => {
      await dataplane.loadModel(r.model_name)
      return {}
    }),
    RepositoryModelUnload: unary(context, 'RepositoryModelUnload', async (r: {model_name: string}) => {
      await dataplane.unloadModel(r.model_name)
      return {}
    }),
  }
}
