/** Small fetch wrappers for the tests: status plus parsed JSON (or text) body. */

export interface HttpResult<T = any> {
  readonly status: number
  readonly body: T
  readonly text: string
  readonly headers: Headers
}

export async function request<T = any>(
  url: string,
  init: {method?: string; body?: string | Uint8Array; headers?: Record<string, string>} = {},
): Promise<HttpResult<T>> {
  const response = await fetch(url, {method: init.method ?? 'GET', body: init.body, headers: init.headers})
  const text = await response.text()
  let body: any = undefined
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = text
  }
  return {status: response.status, body, text, headers: response.headers}
}

export function postJson<T = any>(url: string, value: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  return request<T>(url, {method: 'POST', body: JSON.stringify(value), headers: {'content-type': 'application/json', ...headers}})
}
