/**
 * Loopback ports for the bench: a free UDP+TCP port from the kernel, and a check that a
 * port asked for on the command line is not taken.
 *
 * @example
 *   const port = await freePort();
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A port the kernel says is free on 127.0.0.1 for TCP; checked free for UDP as well. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => (a && typeof a === 'object' ? res(a.port) : rej(new Error('no port from the kernel'))));
      });
    });
    if (await udpPortFree(port)) return port;
  }
  throw new Error('no free loopback port after 20 attempts');
}

/** True when UDP 127.0.0.1:port can be bound now. */
export function udpPortFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => res(false));
    s.bind(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}
