// REST side of the bench: readiness and a one-request correctness check with fetch.
export const REST_INFER_PATH = '/v2/models/mnist_sklearn/versions/v1.0.0/infer'

export function restBody(row) {
  return JSON.stringify({inputs: [{name: 'predict', shape: [1, row.length], datatype: 'FP32', data: row}]})
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

export async function checkRestInfer(server, body) {
  const response = await fetch(server.url + REST_INFER_PATH, {method: 'POST', headers: {'content-type': 'application/json'}, body})
  const text = await response.text()
  if (response.status !== 200) throw new Error(`${server.name} answered ${response.status}: ${text}`)
  const output = JSON.parse(text).outputs?.[0]
  if (output?.datatype !== 'INT64' || JSON.stringify(output.shape) !== '[1,1]') {
    throw new Error(`${server.name} answered an unexpected output: ${text}`)
  }
  return {label: output.data[0]}
}
