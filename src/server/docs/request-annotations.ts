/**
 * What the request schemas of src/protocol/schemas.ts mean, for the documents. The schemas themselves stay as they
 * are (they validate); these words attach to them only when they become JSON Schema.
 */
import {inferenceRequestSchema, repositoryIndexRequestSchema, requestInputSchema, requestOutputSchema} from '../../protocol/schemas.js'
import type {z} from 'zod'
import type {Annotation, Annotations} from './schema-components.js'

export const REQUEST_ANNOTATIONS: Annotations = new Map<z.core.$ZodType, Annotation>([
  [inferenceRequestSchema, {description: 'A V2 inference request.'}],
  [inferenceRequestSchema.shape.id, {description: 'Echoed in the response; a UUID is generated when absent.'}],
  [inferenceRequestSchema.shape.outputs, {description: 'The outputs to return; without it the runtime\'s default outputs.'}],
  [requestInputSchema, {description: 'One input tensor.'}],
  [
    requestInputSchema.shape.name,
    {description: 'The model input\'s name. A model with exactly one input accepts it under any name; a model with several matches them by name.'},
  ],
  [requestInputSchema.shape.shape, {description: 'Non-negative integers; their product is the number of values in `data`.'}],
  [
    requestInputSchema.shape.datatype,
    {
      description:
        'The V2 datatype. Numbers sent as another numeric datatype are converted where no value changes meaning (any number into a float input; integers into an integer input when every value fits).',
    },
  ],
  [
    requestInputSchema.shape.data,
    {description: 'The values, flat or nested, row-major: as many as the product of `shape`. `null` in a float input is a missing value (NaN).'},
  ],
  [requestOutputSchema, {description: 'An output to return.'}],
  [repositoryIndexRequestSchema.shape.ready, {description: '`true` lists only the READY model versions.'}],
])
