/**
 * One request body as its model's runtime will get it: the envelope checked against the schema, inputs bound to the
 * model's declared inputs, every tensor's data checked and converted to the declared datatype, content types checked
 * and requested outputs known. Synchronous, and the same for a single inference and each request of a stream.
 */
import {randomUUID} from 'node:crypto'
import {MlsError} from '../errors.js'
import {inferenceRequestSchema} from '../protocol/schemas.js'
import type {Parameters, Tensor, TensorMetadata} from '../protocol/types.js'
import type {LoadedModel} from '../repository/loaded-model.js'
import type {ModelEntry} from '../repository/model-entry.js'
import type {BodySource} from './admission.js'
import {classificationsOf, type Classifications} from './classify.js'
import {checkContentTypes} from './check-content-types.js'
import {decodeTensorData} from './decode-input.js'
import {matchInputs} from './match-inputs.js'
import {parseBody} from './parse-body.js'

/** A request as the runtime will get it, before its abort state is attached (RequestScope.request). */
export interface DecodedRequest {
  readonly id: string
  readonly parameters?: Parameters
  readonly inputs: Tensor[]
  readonly outputs?: string[]
  /** Outputs asked for as top-k classes (the classification extension); applied to the result (classify.ts). */
  readonly classify?: Classifications
}

/** The body checked against the schema and the model's inputs and outputs, tensors decoded; throws MlsError. */
export function decodeRequest(entry: ModelEntry, instance: LoadedModel, body: unknown, source: BodySource = 'json'): DecodedRequest {
  const request = parseBody(inferenceRequestSchema, body, {required: true})
  const {metadata} = instance

  const bound = matchInputs(request.inputs, metadata.inputs)
  const inputs: Tensor[] = new Array(bound.length)
  const targets: Array<TensorMetadata | undefined> = new Array(bound.length)
  for (let i = 0; i < bound.length; i++) {
    const {input, target} = bound[i]
    const datatype = target?.datatype ?? input.datatype
    const data = decodeTensorData(input, datatype, source)
    const name = target?.name ?? input.name
    inputs[i] = input.parameters === undefined ? {name, datatype, shape: input.shape, data} : {name, datatype, shape: input.shape, data, parameters: input.parameters}
    targets[i] = target
  }
  checkContentTypes({parameters: request.parameters, inputs, targets, checkKnown: instance.builtinRuntime})

  let outputs: string[] | undefined
  if (request.outputs !== undefined && request.outputs.length > 0) {
    outputs = request.outputs.map((o) => o.name)
    // The same output asked for twice would build (and send) its tensor twice: a small request, a huge answer.
    if (outputs.length > 1) {
      const seen = new Set<string>()
      for (const name of outputs) {
        if (seen.has(name)) throw new MlsError('INVALID_REQUEST', `output "${name}" is requested more than once; ask for each output once`)
        seen.add(name)
      }
    }
    const known = new Set(metadata.outputs.map((o) => o.name))
    const unknown = outputs.filter((o) => !known.has(o))
    if (unknown.length > 0 && known.size > 0) {
      throw new MlsError(
        'OUTPUT_NOT_FOUND',
        `model "${entry.name}" has no output ${unknown.map((o) => `"${o}"`).join(', ')}; its outputs are ${[...known].map((o) => `"${o}"`).join(', ')}`,
      )
    }
  }
  const classify = classificationsOf(request.outputs, metadata.outputs)
  const decoded = {id: request.id ?? randomUUID(), parameters: request.parameters, inputs, outputs}
  return classify === undefined ? decoded : {...decoded, classify}
}
