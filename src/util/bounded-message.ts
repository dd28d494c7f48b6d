/**
 * Error messages as a client gets them, bounded: a message quotes what the client sent (names, values), and a client
 * may send megabytes. Every quoted run ("...") longer than MAX_QUOTED characters keeps its first MAX_QUOTED and ends in
 * an ellipsis; the whole message keeps at most MAX_MESSAGE characters. gRPC sends the message percent-encoded in the
 * grpc-message trailer, where a space takes 3 bytes and a CJK character 9, and clients refuse large trailers (gRPC C
 * core from 8 KiB of metadata): there the encoded form is bounded to MAX_MESSAGE bytes instead.
 */

/** Characters kept of one quoted value. */
export const MAX_QUOTED = 1024
/** Characters of a REST error message; bytes of a gRPC status message as it travels. */
export const MAX_MESSAGE = 4096

const ELLIPSIS = '…'
const LONG_QUOTED = new RegExp(`"([^"]{${MAX_QUOTED}})[^"]+"`, 'g')

/** Quoted runs cut to MAX_QUOTED characters (a surrogate pair is not split). */
function shortenQuoted(message: string): string {
  return message.replace(LONG_QUOTED, (_, kept: string) => `"${withoutHalfPair(kept)}${ELLIPSIS}"`)
}

function withoutHalfPair(text: string): string {
  const last = text.charCodeAt(text.length - 1)
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text
}

/** The message for a REST error body: quoted values and the whole bounded in characters. */
export function boundMessage(message: string): string {
  if (message.length <= MAX_QUOTED) return message
  const shortened = shortenQuoted(message)
  return shortened.length <= MAX_MESSAGE ? shortened : withoutHalfPair(shortened.slice(0, MAX_MESSAGE - 1)) + ELLIPSIS
}

/** Characters encodeURI (grpc-js's encoding of grpc-message) leaves as they are. */
const URI_KEPT = /[A-Za-z0-9;,/?:@&=+$\-_.!~*'()#]/

/** Bytes one code point takes once encodeURI has encoded it. */
function encodedSize(codePoint: number, char: string): number {
  if (codePoint < 0x80) return URI_KEPT.test(char) ? 1 : 3
  if (codePoint < 0x800) return 6
  if (codePoint < 0x10000) return 9
  return 12
}

/** The message for a gRPC status: quoted values bounded, and the whole at most MAX_MESSAGE bytes percent-encoded. */
export function boundGrpcMessage(message: string): string {
  if (message.length <= MAX_MESSAGE / 9) return message
  const shortened = shortenQuoted(message)
  const budget = MAX_MESSAGE - encodedSize(ELLIPSIS.codePointAt(0)!, ELLIPSIS)
  let bytes = 0
  let end = 0
  for (const char of shortened) {
    const size = encodedSize(char.codePointAt(0)!, char)
    if (bytes + size > budget) return shortened.slice(0, end) + ELLIPSIS
    bytes += size
    end += char.length
  }
  return shortened
}
