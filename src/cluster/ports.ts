/** Free ports chosen up front: under node:cluster every worker's listen(0) on one host shares a single port. */
import {createServer, type Server} from 'node:net'

/**
 * Resolves each 0 in `ports` to a free port on `host` (the others are kept); all are held open together so two zeros
 * never get the same port. A small race remains (another program may take one before the workers bind).
 */
export async function resolvePorts(host: string, ports: readonly number[]): Promise<number[]> {
  const servers: Server[] = []
  try {
    const resolved: number[] = []
    for (const port of ports) {
      if (port !== 0) {
        resolved.push(port)
        continue
      }
      const server = createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, host, () => resolve())
      })
      resolved.push((server.address() as {port: number}).port)
    }
    return resolved
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  }
}
