/**
 * One model's inference request, from its metadata: the protocol's request schema narrowed to the model's input
 * names, datatypes and shapes, and an example body that the model accepts as it stands.
 */
import {z} from 'zod'
import type {Datatype} from '../../protocol/datatypes.js'
import {inferenceRequestSchema, requestInputSchema, requestOutputSchema} from '../../protocol/schemas.js'
import type {InferenceRequestBody, ModelMetadata, TensorMetadata} from '../../protocol/types.js'
import type {Annotation, Annotations} from './schema-components.js'

/** The narrowed schema, with the titles and descriptions of the schemas made for this model. */
export interface ModelRequestSchema {
  readonly schema: z.ZodType
  readonly annotations: Annotations
}

const dimension = z.int().min(0)

/**
 * The request schema for a model: each input's name, datatype and shape (`-1` any size), the declared outputs as the
 * only names `outputs` may ask for. A model that declares no inputs keeps the protocol's schema.
 */
export function modelRequestSchema(metadata: Pick<ModelMetadata, 'inputs' | 'outputs'>): ModelRequestSchema {
  const annotations = new Map<z.core.$ZodType, Annotation>()
  if (metadata.inputs.length === 0) return {schema: inferenceRequestSchema, annotations}
  const single = metadata.inputs.length === 1
  const inputs = metadata.inputs.map((input) => {
    // A scalar's shape is []: an empty array (an empty tuple would be a 0-item `prefixItems`, which ajv's strict mode rejects).
    const shape =
      input.shape.length === 0
        ? z.array(dimension).length(0)
        : z.tuple(input.shape.map((size) => (size < 0 ? dimension : z.literal(size))) as unknown as [z.ZodType, ...z.ZodType[]])
    const name = z.literal(input.name)
    const datatype = z.literal(input.datatype)
    const schema = requestInputSchema.extend({name, datatype, shape})
    annotations.set(schema, {title: input.name})
    annotations.set(shape, {description: `The model declares [${input.shape.join(', ')}]; -1 is any size.`})
    annotations.set(datatype, {description: 'The model\'s datatype; numbers sent as another numeric datatype are converted where no value changes meaning.'})
    if (single) annotations.set(name, {description: 'The model\'s input; with exactly one input, any name is accepted.'})
    return schema
  })
  const item = single ? inputs[0] : z.union(inputs as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]])
  const inputList = z.array(item).length(inputs.length)
  annotations.set(inputList, {description: single ? 'The model\'s one input.' : `The model's ${inputs.length} inputs, each once, by name.`})
  const outputNames = metadata.outputs.map((output) => output.name)
  const outputs = outputNames.length === 0 ? inferenceRequestSchema.shape.outputs : z.array(requestOutputSchema.extend({name: z.enum(outputNames as [string, ...string[]])})).optional()
  return {schema: inferenceRequestSchema.extend({inputs: inputList, outputs}), annotations}
}

/** A request the model accepts: each input with `-1` dimensions as 1, filled with zeros (false, "" for BOOL, BYTES). */
export function exampleRequest(inputs: readonly TensorMetadata[]): InferenceRequestBody {
  if (inputs.length === 0) return {inputs: [{name: 'input', shape: [1], datatype: 'FP32', data: [0]}]}
  return {
    inputs: inputs.map((input) => {
      const shape = input.shape.map((size) => (size < 0 ? 1 : size))
      const count = shape.reduce((product, size) => product * size, 1)
      return {name: input.name, shape, datatype: input.datatype, data: new Array(count).fill(zero(input.datatype))}
    }),
  }
}

function zero(datatype: Datatype): number | boolean | string {
  if (datatype === 'BOOL') return false
  if (datatype === 'BYTES') return ''
  return 0
}
