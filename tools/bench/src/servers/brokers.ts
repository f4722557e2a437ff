import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { cleanEnv, freePort } from '@meshpush/test-support';
import { track } from '../util/cleanup.js';
import { sleep } from '../util/time.js';

/** A broker the nats/redis variants need, started by the bench on a free loopback port. */
export type BrokerKind = 'nats' | 'redis';

export interface RunningBroker {
  readonly kind: BrokerKind;
  readonly port: number;
  readonly pid: number;
  /** The settings that point meshpush at it (soketi's names). */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

interface BrokerSpec {
  /** Candidates, first existing wins; else the name is looked up in PATH. */
  readonly binaries: readonly string[];
  readonly args: (port: number) => string[];
  readonly env: (port: number) => Record<string, string>;
}

const SPECS: Readonly<Record<BrokerKind, BrokerSpec>> = {
  nats: {
    binaries: ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server', 'nats-server'],
    // No monitoring port, no JetStream: a plain core NATS server on loopback.
    args: (port) => ['-a', '127.0.0.1', '-p', String(port)],
    env: (port) => ({ ADAPTER_NATS_SERVERS: `127.0.0.1:${port}` }),
  },
  redis: {
    binaries: ['/usr/bin/redis-server', '/usr/local/bin/redis-server', 'redis-server'],
    // In memory only: no RDB snapshots, no AOF, nothing written to the working directory.
    args: (port) => [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
    ],
    env: (port) => ({ DB_REDIS_HOST: '127.0.0.1', DB_REDIS_PORT: String(port) }),
  },
};

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3000;

/** Starts `kind` on a free port of 127.0.0.1 and resolves once it accepts TCP connections. */
export async function startBroker(kind: BrokerKind): Promise<RunningBroker> {
  const spec = SPECS[kind];
  const binary = spec.binaries.find((candidate) => !candidate.includes('/') || existsSync(candidate)) ?? kind;
  const port = await freePort();
  const child = spawn(binary, spec.args(port), { env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => void (output = (output + chunk.toString('utf8')).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${binary} (${kind} broker): ${error.message}`)));
    child.once('exit', (code, signal) =>
      reject(new Error(`${binary} exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
  failed.catch(() => undefined);
  track(child);
  try {
    await Promise.race([acceptsConnections(port, READY_TIMEOUT_MS), failed]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { kind, port, pid: child.pid ?? 0, env: spec.env(port), stop: () => stopChild(child) };
}

async function acceptsConnections(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing accepted connections on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
