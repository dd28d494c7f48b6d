/** JSON text of a request body: empty is undefined (each endpoint decides), malformed is INVALID_JSON. */
import {MlsError} from '../../errors.js'

export function parseJsonText(text: string): unknown {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    if (text.trim().length === 0) return undefined
    throw new MlsError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`)
  }
}
