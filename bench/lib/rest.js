// REST side of the bench: readiness, one-request correctness checks with fetch, and the bodies of the binary tensor
// data extension (JSON header, then raw little-endian tensor bytes; Inference-Header-Content-Length = header length).
export const REST_INFER_PATH = '/v2/models/mnist_sklearn/versions/v1.0.0/infer'
export const HEADER_LENGTH = 'inference-header-content-length'
export const inferPath = (model) => `/v2/models/${model}/infer`

export function restBody(row) {
  return JSON.stringify({inputs: [{name: 'predict', shape: [1, row.length], datatype: 'FP32', data: row}]})
}

/** V2 JSON body with one FP32 input. Values go through Number (JSON.stringify of a float32 widened to a double). */
export function jsonBody(name, data, shape) {
  return JSON.stringify({inputs: [{name, shape, datatype: 'FP32', data: Array.from(data)}]})
}

/** Binary extension body with one FP32 input; `binaryOutputs` asks for every output as binary too. */
export function binaryBody(name, data, shape, {binaryOutputs = false} = {}) {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const header = {inputs: [{name, shape, datatype: 'FP32', parameters: {binary_data_size: bytes.length}}]}
  if (binaryOutputs) header.parameters = {binary_data_output: true}
  const json = Buffer.from(JSON.stringify(header))
  return {body: Buffer.concat([json, bytes]), headerLength: json.length}
}

export async function waitRestReady(server, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const status = await fetch(`${server.url}/v2/health/ready`).then((r) => r.status, () => 0)
    if (status === 200) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${server.name} not ready within ${timeoutMs / 1000} s\n${server.tail.join('\n')}`)
}

/**
 * One POST; requires 200. Returns the parsed JSON (the header, for a binary answer), the output values by name (from
 * `data`, or from the binary part for outputs with parameters.binary_data_size, as Float32Array for FP32), the
 * response body size in bytes and whether the answer was binary.
 */
export async function postInfer(server, inferUrlPath, {body, contentType = 'application/json', headerLength}) {
  const headers = {'content-type': contentType}
  if (headerLength !== undefined) headers[HEADER_LENGTH] = String(headerLength)
  const response = await fetch(server.url + inferUrlPath, {method: 'POST', headers, body})
  const bytes = Buffer.from(await response.arrayBuffer())
  const what = `${server.name} ${inferUrlPath}`
  if (response.status !== 200) throw new Error(`${what} answered ${response.status}: ${bytes.toString('utf8', 0, 500)}`)
  const binaryHeader = response.headers.get(HEADER_LENGTH)
  const jsonEnd = binaryHeader === null ? bytes.length : Number(binaryHeader)
  const json = JSON.parse(bytes.subarray(0, jsonEnd).toString('utf8'))
  const values = {}
  let offset = jsonEnd
  for (const output of json.outputs ?? []) {
    const size = output.parameters?.binary_data_size
    if (size === undefined) {
      values[output.name] = output.data
      continue
    }
    const chunk = bytes.subarray(offset, offset + size)
    offset += size
    values[output.name] = output.datatype === 'FP32' ? new Float32Array(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + size)) : chunk
  }
  if (offset !== bytes.length) throw new Error(`${what}: ${bytes.length - offset} bytes after the outputs' binary data`)
  return {json, values, responseBytes: bytes.length, binary: binaryHeader !== null}
}

export async function checkRestInfer(server, body) {
  const {json} = await postInfer(server, REST_INFER_PATH, {body})
  const output = json.outputs?.[0]
  if (output?.datatype !== 'INT64' || JSON.stringify(output.shape) !== '[1,1]') {
    throw new Error(`${server.name} answered an unexpected output: ${JSON.stringify(json)}`)
  }
  return {label: output.data[0]}
}
