import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SERVER_CLI } from './paths.js';

export interface NodeSpec {
  /** Shown in log prefixes and reports, e.g. `node-1`. */
  readonly name: string;
  /** The child's whole environment (nothing else is inherited). */
  readonly env: NodeJS.ProcessEnv;
  /** Extra `meshpush start` arguments. */
  readonly args?: readonly string[];
  /** Arguments for node itself, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Every line the child writes, as it comes. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Own process group: a terminal's Ctrl+C then reaches only the supervisor, which stops each
   * child exactly once (a second signal would cut meshpush's drain short).
   * @default false
   */
  readonly detached?: boolean;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ReadyInfo {
  readonly port: number;
  readonly pid: number;
}

/** A running `meshpush start` child. */
export interface NodeProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles with the ready line's content; rejects when the child exits first or the deadline passes. */
  readonly ready: Promise<ReadyInfo>;
  readonly exited: Promise<ExitInfo>;
  isRunning(): boolean;
  /** The mesh node id, read from the child's `mesh: started nodeId=…` log line. */
  nodeId(): string | undefined;
  /** The last lines of output, for error reports. */
  tail(): string;
  /** `signal` (default SIGTERM), then SIGKILL after `graceMs`; resolves once the child is gone. */
  stop(graceMs: number, signal?: NodeJS.Signals): Promise<ExitInfo>;
}

const READY_LINE = /^meshpush ready (\{.*\})\s*$/;
const NODE_ID_LINE = /mesh: started nodeId=([0-9a-zA-Z]+)/;
const TAIL_LINES = 40;

export function spawnNode(spec: NodeSpec, readyTimeoutMs = 20_000): NodeProcess {
  const child = spawn(process.execPath, [...(spec.nodeArgs ?? []), SERVER_CLI, 'start', ...(spec.args ?? [])], {
    env: spec.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: spec.detached ?? false,
  });
  if (child.pid === undefined) throw new Error(`${spec.name}: could not spawn ${SERVER_CLI}`);
  const state = { running: true, nodeId: undefined as string | undefined, lines: [] as string[] };
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('close', (code, signal) => {
      state.running = false;
      resolve({ code, signal });
    });
  });
  const ready = watchLines(spec, child, state, exited, readyTimeoutMs);
  ready.catch(() => undefined);
  return {
    name: spec.name,
    pid: child.pid,
    child,
    ready,
    exited,
    isRunning: () => state.running,
    nodeId: () => state.nodeId,
    tail: () => state.lines.join('\n'),
    stop: (graceMs, signal = 'SIGTERM') => stopChild(child, exited, () => state.running, graceMs, signal),
  };
}

interface LineState {
  running: boolean;
  nodeId: string | undefined;
  lines: string[];
}

function watchLines(
  spec: NodeSpec,
  child: ChildProcess,
  state: LineState,
  exited: Promise<ExitInfo>,
  timeoutMs: number,
): Promise<ReadyInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${spec.name} printed no ready line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onLine = (line: string, stream: 'stdout' | 'stderr'): void => {
      state.lines.push(line);
      if (state.lines.length > TAIL_LINES) state.lines.shift();
      state.nodeId ??= NODE_ID_LINE.exec(line)?.[1];
      spec.onLine?.(line, stream);
      const match = stream === 'stdout' ? READY_LINE.exec(line) : null;
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      resolve(JSON.parse(match[1]) as ReadyInfo);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => onLine(line, 'stdout'));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => onLine(line, 'stderr'));
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${spec.name} exited (code ${code}, signal ${signal}) before it was ready:\n${state.lines.join('\n')}`,
        ),
      );
    });
  });
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<ExitInfo>,
  running: () => boolean,
  graceMs: number,
  signal: NodeJS.Signals,
): Promise<ExitInfo> {
  if (!running()) return exited;
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const killLater = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      if (running()) child.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([exited, killLater]);
  clearTimeout(timer);
  return exited;
}
