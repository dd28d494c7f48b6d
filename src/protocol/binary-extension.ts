/** The REST binary tensor data extension's wire names, the same for server and client (DESIGN.md section 2). */

/** The header that carries the length of the JSON part in front of the tensors' bytes, both ways. */
export const HEADER_LENGTH = 'inference-header-content-length'

/** The content type of a binary request or answer. */
export const BINARY_CONTENT_TYPE = 'application/octet-stream'
