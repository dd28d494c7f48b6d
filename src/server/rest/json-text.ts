/**
 * JSON text of a request body: empty is undefined (each endpoint decides), text that is not UTF-8 or not JSON is
 * INVALID_JSON. Invalid UTF-8 is refused, not replaced by U+FFFD as Buffer#toString would: a tensor of strings would
 * otherwise hold characters the client never sent.
 */
import {isUtf8} from 'node:buffer'
import {MlsError} from '../../errors.js'
import {firstInvalidUtf8} from '../../util/utf8.js'

export function parseJsonText(text: string): unknown {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch (error) {
    if (text.trim().length === 0) return undefined
    throw new MlsError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`)
  }
}

/** JSON text as bytes; `what` names them in the message ("the body", "the JSON header"). */
export function parseJsonBytes(bytes: Uint8Array, what = 'the body'): unknown {
  // isUtf8 is native and vectorised: the check costs next to nothing on the hot path; only a failure looks for where.
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes)
    throw new MlsError('INVALID_JSON', `${what} is not valid UTF-8: the byte sequence at byte offset ${at} (0x${bytes[at].toString(16).padStart(2, '0')}...) is malformed`)
  }
  return parseJsonText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
}
