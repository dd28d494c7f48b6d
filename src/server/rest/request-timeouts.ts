/**
 * Receiving a REST request is bounded in time by Node's HTTP server itself: `headersTimeout` (request_headers_timeout)
 * for the request line and headers, `requestTimeout` (request_timeout) for headers and body together. Both end when
 * the request has been received: they never bound the answer. Node checks them every `connectionsCheckingInterval`
 * (30 s by default: a 1 s limit would be enforced up to 30 s late), so the interval follows the shorter limit. Over
 * TLS a handshake never finished holds a socket before HTTP sees it: `handshakeTimeout` bounds it as the headers are.
 * A request that runs out of time is answered 408 REQUEST_TIMEOUT by the 'clientError' handler (client-error.ts).
 */
import type {ServerSettings} from '../../settings/server-settings.js'

/** Bounds of Node's connections check interval: often enough for short limits, not a busy loop. */
const CHECK_MS = {min: 50, max: 1000} as const
/** Node's TLS handshake timeout when neither limit is set (its own default). */
const DEFAULT_HANDSHAKE_MS = 120_000

/** The options `http.createServer` / `https.createServer` take for these limits (0: no limit). */
export interface RequestTimeoutOptions {
  readonly headersTimeout: number
  readonly requestTimeout: number
  readonly connectionsCheckingInterval: number
  /** TLS only: milliseconds to finish the handshake. */
  readonly handshakeTimeout: number
}

export function requestTimeoutOptions(settings: Pick<ServerSettings, 'request_headers_timeout' | 'request_timeout'>): RequestTimeoutOptions {
  const requestTimeout = Math.round(settings.request_timeout * 1000)
  let headersTimeout = Math.round(settings.request_headers_timeout * 1000)
  // Node refuses headersTimeout > requestTimeout: the total bounds the headers anyway.
  if (requestTimeout > 0 && (headersTimeout === 0 || headersTimeout > requestTimeout)) headersTimeout = requestTimeout
  const limits = [headersTimeout, requestTimeout].filter((ms) => ms > 0)
  const shortest = limits.length === 0 ? undefined : Math.min(...limits)
  const connectionsCheckingInterval = shortest === undefined ? CHECK_MS.max : Math.min(CHECK_MS.max, Math.max(CHECK_MS.min, Math.round(shortest / 10)))
  return {headersTimeout, requestTimeout, connectionsCheckingInterval, handshakeTimeout: shortest ?? DEFAULT_HANDSHAKE_MS}
}
