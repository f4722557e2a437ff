import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '@meshpush/test-support';
import { DEFAULT_APP } from '../load/signer.js';
import { track } from '../util/cleanup.js';
import type { BenchCertificates } from '../util/certs.js';
import { wsUrl, type ServerGroup } from './ServerGroup.js';

const SERVER = fileURLToPath(new URL('../baseline/server.ts', import.meta.url));
const READY = /^baseline ready (\{.*\})$/;
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5000;

/**
 * Starts the bare uWebSockets.js baseline server (`src/baseline/server.ts`) on 127.0.0.1; with
 * `certs`, over TLS (uWS `SSLApp`).
 */
export async function startBaseline(profileDir?: string, certs?: BenchCertificates): Promise<ServerGroup> {
  const profile = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const tlsEnv: Record<string, string> =
    certs === undefined ? {} : { SSL_CERT: certs.certFile, SSL_KEY: certs.keyFile };
  const child = spawn(process.execPath, [...profile, '--import=tsx', SERVER], {
    env: cleanEnv({ PORT: '0', ...tlsEnv }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the baseline server printed no ready line')), READY_TIMEOUT_MS);
    void exited.then(() => reject(new Error('the baseline server exited before it was ready')));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = READY.exec(line);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve((JSON.parse(match[1]) as { port: number }).port);
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    driver: 'uws-baseline',
    tls: certs === undefined ? 'none' : 'client',
    ports: [port],
    pids: [child.pid ?? 0],
    clientCa: certs?.caPem,
    wsUrl: () => wsUrl(port, DEFAULT_APP.key, certs !== undefined),
    meshCounters: () => Promise.resolve(null),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
