import { createHash } from 'node:crypto';
import { createServer } from 'node:net';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the OS reports free right now (for throwaway servers in tests). */
export function anyFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A stable port for a directory: derived from its path, so two checkouts on one machine start at
 * different ports, then the first free one from there.
 */
export async function stablePortFor(directory: string, base = 15_432, span = 2_000): Promise<number> {
  const offset = createHash('sha256').update(directory).digest().readUInt32BE(0) % span;
  for (let attempt = 0; attempt < span; attempt += 1) {
    const port = base + ((offset + attempt) % span);
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port between ${base} and ${base + span - 1}`);
}
