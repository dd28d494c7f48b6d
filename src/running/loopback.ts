/** Addresses a client on this machine can use: a wildcard bind address (0.0.0.0, ::) becomes the loopback address. */

/** A URL with a wildcard host made loopback: http://0.0.0.0:8080 -> http://127.0.0.1:8080. */
export function loopbackUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:')
}

/** A host:port with a wildcard host made loopback: 0.0.0.0:8081 -> 127.0.0.1:8081. */
export function loopbackAddress(address: string): string {
  return address.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^\[::\]:/, '[::1]:')
}
