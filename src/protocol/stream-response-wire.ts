/**
 * Triton's ModelStreamInferResponse on the wire: `string error_message = 1; ModelInferResponse infer_response = 2;`.
 * Built around the bytes of the ModelInferResponse serializer, so an answer is encoded once, not copied through a
 * second message object.
 */

/** Protobuf's base-128 varint of a length. */
function varint(value: number): Buffer {
  const bytes: number[] = []
  let v = value
  while (v > 0x7f) {
    bytes.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  bytes.push(v)
  return Buffer.from(bytes)
}

const ERROR_MESSAGE_TAG = Buffer.of((1 << 3) | 2)
const INFER_RESPONSE_TAG = Buffer.of((2 << 3) | 2)

/** The message's bytes: error_message when not empty (proto3 leaves an empty string out), then infer_response, always present as Triton sends it. */
export function encodeStreamInferResponse(errorMessage: string, inferResponse: Uint8Array): Buffer {
  const parts: Uint8Array[] = []
  if (errorMessage !== '') {
    const text = Buffer.from(errorMessage, 'utf8')
    parts.push(ERROR_MESSAGE_TAG, varint(text.length), text)
  }
  parts.push(INFER_RESPONSE_TAG, varint(inferResponse.length), inferResponse)
  return Buffer.concat(parts)
}
