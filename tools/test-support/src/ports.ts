import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A TCP port that was free on 127.0.0.1 a moment ago (for a process that cannot bind port 0 itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * The first of `count` consecutive ports that were free on 127.0.0.1 a moment ago, below the
 * kernel's ephemeral range: servers that bind them again later (after a reload or a restart)
 * do not race the outgoing connections the kernel hands ephemeral ports to.
 */
export async function freePortRun(count: number): Promise<number> {
  const low = ephemeralRangeStart();
  const floor = 10_000;
  if (low - floor < count * 10)
    throw new Error(`the ephemeral port range starts at ${low}: no room below it for test ports`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = floor + Math.floor(Math.random() * (low - floor - count));
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(first + i)));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no run of ${count} free ports found below ${low}`);
}

function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return Number(low) || 32_768;
  } catch {
    return 32_768;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
