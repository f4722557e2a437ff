import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './ports.js';

/** Set to 1 (CI) to turn "broker binary missing: skipped" into a failure. */
export const REQUIRE_BROKERS_ENV = 'MESHPUSH_REQUIRE_BROKERS';

export type BrokerKind = 'nats' | 'redis';

const BINARIES: Record<BrokerKind, string> = { nats: 'nats-server', redis: 'redis-server' };

/** Where to look instead of PATH and the usual directories (`:`-separated), e.g. a CI cache. */
export const BROKER_PATH_ENV = 'MESHPUSH_BROKER_PATH';

/** The broker's binary on PATH or in the usual sbin/bin directories (or in MESHPUSH_BROKER_PATH), or undefined. */
export function findBroker(kind: BrokerKind): string | undefined {
  const override = process.env[BROKER_PATH_ENV];
  const dirs =
    override !== undefined
      ? override.split(delimiter)
      : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, BINARIES[kind]);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why broker tests of `kinds` cannot run here, or undefined when they can. */
export function missingBrokers(kinds: readonly BrokerKind[]): string | undefined {
  const missing = kinds.filter((kind) => findBroker(kind) === undefined).map((kind) => BINARIES[kind]);
  const where =
    process.env[BROKER_PATH_ENV] !== undefined
      ? `${BROKER_PATH_ENV}=${process.env[BROKER_PATH_ENV]}`
      : 'PATH or /usr/sbin, /usr/bin, /usr/local/bin';
  return missing.length === 0 ? undefined : `${missing.join(' and ')} not found in ${where}`;
}

export function brokersRequired(): boolean {
  return process.env[REQUIRE_BROKERS_ENV] === '1' || process.env[REQUIRE_BROKERS_ENV] === 'true';
}

/** Brokers still running, killed if the test process ends without its teardown (an ava timeout, a kill). */
const running = new Set<ChildProcess>();
const killRunning = (): void => {
  for (const child of running) child.kill('SIGKILL');
};
let handlersInstalled = false;

/**
 * Installed with the first broker, not at import: a program that imports this module only for
 * `freePort` or `waitFor` (the benchmarks) keeps its own signal handling.
 */
function killBrokersOnExit(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', killRunning);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killRunning();
      process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export interface BrokerOptions {
  /** nats: `--user`/`--pass`; redis: `--requirepass` (user ignored). */
  readonly user?: string;
  readonly password?: string;
  /** nats only: `--auth <token>`. */
  readonly token?: string;
  readonly port?: number;
}

/** A broker process on 127.0.0.1 that a test can kill and start again on the same port. */
export class BrokerProcess {
  readonly kind: BrokerKind;
  readonly port: number;
  readonly #options: BrokerOptions;
  #child: ChildProcess | undefined;
  #output = '';

  private constructor(kind: BrokerKind, port: number, options: BrokerOptions) {
    this.kind = kind;
    this.port = port;
    this.#options = options;
  }

  static async start(kind: BrokerKind, options: BrokerOptions = {}): Promise<BrokerProcess> {
    const broker = new BrokerProcess(kind, options.port ?? (await freePort()), options);
    await broker.restart();
    return broker;
  }

  /** `127.0.0.1:port` (what ADAPTER_NATS_SERVERS / DB_REDIS_HOST+PORT point at). */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process (again) and waits until it accepts connections. */
  async restart(timeoutMs = 10_000): Promise<void> {
    const binary = findBroker(this.kind);
    if (binary === undefined) throw new Error(`${BINARIES[this.kind]} not found`);
    killBrokersOnExit();
    const child = spawn(binary, this.#args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    child.stdout?.on('data', (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(this.port))) {
      if (!this.running) throw new Error(`${this.kind} exited at start:\n${this.#output}`);
      if (Date.now() > deadline)
        throw new Error(`${this.kind} did not listen on ${this.port} within ${timeoutMs} ms:\n${this.#output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Kills the process (SIGKILL by default) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  #args(): string[] {
    const { user, password, token } = this.#options;
    if (this.kind === 'redis') {
      return [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...(password ? ['--requirepass', password] : []),
      ];
    }
    return [
      '-a',
      '127.0.0.1',
      '-p',
      String(this.port),
      ...(user ? ['--user', user] : []),
      ...(password ? ['--pass', password] : []),
      ...(token ? ['--auth', token] : []),
    ];
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
