import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on the loopback interface (for child processes that need a number up front). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('No free port was assigned'))));
    });
  });
}

/**
 * A port from the environment (`PORT`, `SANDBOX_PORT`): `fallback` when unset or empty; a
 * clear error naming the variable when it is not a port number, rather than listening on NaN.
 */
export function portFromEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new Error(`${name} must be a port number from 0 to 65535 (0 picks a free port); got "${raw}"`);
  return port;
}
