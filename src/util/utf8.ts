/** Where UTF-8 goes wrong: for error messages only (node:buffer's isUtf8 is the fast yes/no). */

/**
 * The offset of the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF, no truncated sequence at the end), or -1 when all of `bytes` is well-formed.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const length = bytes.length
  let i = 0
  while (i < length) {
    const lead = bytes[i]
    if (lead < 0x80) {
      i++
      continue
    }
    let follow: number
    let low = 0x80
    let high = 0xbf
    if (lead >= 0xc2 && lead <= 0xdf) follow = 1
    else if (lead === 0xe0) [follow, low] = [2, 0xa0]
    else if (lead === 0xed) [follow, high] = [2, 0x9f]
    else if (lead >= 0xe1 && lead <= 0xef) follow = 2
    else if (lead === 0xf0) [follow, low] = [3, 0x90]
    else if (lead === 0xf4) [follow, high] = [3, 0x8f]
    else if (lead >= 0xf1 && lead <= 0xf3) follow = 3
    else return i
    if (i + follow >= length) return i
    // The second byte has the lead's own range; the others any continuation byte.
    const second = bytes[i + 1]
    if (second < low || second > high) return i
    for (let k = 2; k <= follow; k++) {
      const next = bytes[i + k]
      if (next < 0x80 || next > 0xbf) return i
    }
    i += follow + 1
  }
  return -1
}
