/** UTF-8 helpers for BYTES elements. */
const encoder = new TextEncoder()
const fatalDecoder = new TextDecoder('utf-8', {fatal: true})
const lenientDecoder = new TextDecoder('utf-8')

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text)
}

/** Decodes bytes, replacing invalid sequences (use decodeUtf8Strict where invalid UTF-8 must be refused). */
export function decodeUtf8(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes)
}

/** Decodes bytes; undefined when they are not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return fatalDecoder.decode(bytes)
  } catch {
    return undefined
  }
}
