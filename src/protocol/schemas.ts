/**
 * zod schemas for request bodies. They check the envelope (fields, types, shapes); the per-element checks of `data`
 * happen in one pass in src/dataplane/decode-input.ts, so zod never walks a large number array.
 */
import {z} from 'zod'
import {DATATYPE_NAMES} from './datatypes.js'

export const parametersSchema = z.record(z.string(), z.unknown())

export const requestInputSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.int({error: 'expected a non-negative integer'}).min(0, {error: 'expected a non-negative integer'})),
  datatype: z.enum(DATATYPE_NAMES),
  parameters: parametersSchema.optional(),
  data: z.unknown().refine((value) => value !== undefined, {message: 'expected an array of values'}),
})

export const requestOutputSchema = z.object({
  name: z.string().min(1),
  parameters: parametersSchema.optional(),
})

export const inferenceRequestSchema = z.object({
  id: z.string().optional(),
  parameters: parametersSchema.optional(),
  inputs: z.array(requestInputSchema).min(1),
  outputs: z.array(requestOutputSchema).optional(),
})

export const repositoryIndexRequestSchema = z.object({
  ready: z.boolean().optional(),
})

export type InferenceRequestInput = z.infer<typeof inferenceRequestSchema>
