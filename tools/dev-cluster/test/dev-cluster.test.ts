import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { freePortRun, signalGroup, waitFor } from '@meshpush/test-support';
import { REPO_ROOT, SERVER_CLI } from '../src/paths.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const TABLE_ROW = /^node-\d+\s+(\d+)\s+\d+\s+\d+\s+[0-9a-f]+\s+(\d+)\/(\d+)\s/gm;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `waitFor` with the run's output in the error, which says why the CLI never got there. */
async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
  output: () => string,
): Promise<void> {
  await waitFor(condition, { timeoutMs, message: what, intervalMs: 50 }).catch((error: unknown) => {
    throw new Error(`${String(error)}:\n${output()}`);
  });
}

interface Run {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  stdout(): string;
  output(): string;
  /** The pids of the table rows printed so far. */
  pids(): number[];
  /** The `peers` column of each table row, e.g. `2/2`. */
  peerColumns(): string[];
}

/**
 * Runs dev:cluster on free ports (through tsx, as the root script does; `viaPnpm`: the root
 * script itself, in a process group of its own); killed in teardown.
 */
async function startDevCluster(
  t: ExecutionContext,
  nodes: number,
  extra: readonly string[] = [],
  viaPnpm = false,
): Promise<Run> {
  const base = await freePortRun(2 * nodes + 1);
  const args = [
    '--nodes',
    `${nodes}`,
    '--no-build',
    '--base-port',
    `${base}`,
    '--metrics-base-port',
    `${base + nodes}`,
    '--cluster-port',
    `${base + 2 * nodes}`,
    ...extra,
  ];
  const child = viaPnpm
    ? spawn('pnpm', ['dev:cluster', ...args], { cwd: REPO_ROOT, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['--import=tsx', '--conditions=source', CLI, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
  let stdout = '';
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), (output += chunk)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const rows = (): RegExpExecArray[] => [...stdout.matchAll(TABLE_ROW)];
  const run: Run = {
    child,
    exited,
    stdout: () => stdout,
    output: () => output,
    pids: () => rows().map((match) => Number(match[1])),
    peerColumns: () => rows().map((match) => `${match[2]}/${match[3]}`),
  };
  t.teardown(() => {
    if (viaPnpm) signalGroup(child, 'SIGKILL');
    child.kill('SIGKILL');
    for (const pid of run.pids()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  await waitUntil(
    () => run.pids().length === nodes || child.exitCode !== null,
    60_000,
    'mesh table',
    () => output,
  );
  return run;
}

test.before((t) => {
  t.true(existsSync(SERVER_CLI), `build the server first (pnpm build): ${SERVER_CLI}`);
});

test('--nodes 3 prints the mesh table, and SIGINT stops every child', async (t) => {
  const run = await startDevCluster(t, 3);
  t.is(run.pids().length, 3, run.output());
  t.regex(run.stdout(), /mesh formed: 3 nodes/);
  t.deepEqual(run.peerColumns(), ['2/2', '2/2', '2/2']);
  t.regex(run.stdout(), /^node-2\s+│ /m, 'log lines carry the node name');
  t.true(run.pids().every(isAlive));

  run.child.kill('SIGINT');
  await waitUntil(() => run.child.exitCode !== null, 30_000, 'exit after SIGINT', run.output);
  t.is(await run.exited, 0, run.output());
  for (const pid of run.pids()) t.false(isAlive(pid), `pid ${pid} is still running`);
  for (const name of ['node-1', 'node-2', 'node-3'])
    t.regex(run.output(), new RegExp(`${name} stopped \\(exit code 0\\)`));
});

// pnpm forwards the SIGINT it gets to its script, which already got the terminal's own: the
// supervisor takes the copy for the same request (a second one would kill the nodes undrained),
// and the script execs node, so no shell dies of SIGINT (which pnpm reported as ELIFECYCLE).
test('Ctrl+C on `pnpm dev:cluster`: every node drains, exit 0, and pnpm reports no failure', async (t) => {
  const run = await startDevCluster(t, 2, [], true);
  t.is(run.pids().length, 2, run.output());
  signalGroup(run.child, 'SIGINT');
  const ended = (): boolean => run.child.exitCode !== null || run.child.signalCode !== null;
  await waitUntil(ended, 30_000, 'exit after Ctrl+C', run.output);
  t.is(await run.exited, 0, run.output());
  for (const name of ['node-1', 'node-2']) t.regex(run.output(), new RegExp(`${name} stopped \\(exit code 0\\)`));
  t.notRegex(run.output(), /again: killing|ELIFECYCLE/);
});

test('a node that dies is reported by name, and the others are stopped (exit code 1)', async (t) => {
  const run = await startDevCluster(t, 2);
  t.is(run.pids().length, 2, run.output());
  const [first, second] = run.pids();
  if (first === undefined || second === undefined) return t.fail(run.output());

  process.kill(second, 'SIGKILL');
  await waitUntil(() => run.child.exitCode !== null, 30_000, 'exit after a node died', run.output);
  t.is(await run.exited, 1, run.output());
  t.regex(run.output(), new RegExp(`node-2 \\(pid ${second}\\) exited unexpectedly \\(signal SIGKILL\\)`));
  t.regex(run.output(), /node-1 stopped \(exit code 0\)/);
  t.false(isAlive(first), `node-1 (pid ${first}) is still running`);
});

test('--same-port: every node binds the base port and the mesh still forms', async (t) => {
  const run = await startDevCluster(t, 2, ['--same-port']);
  t.is(run.pids().length, 2, run.output());
  const wsPorts = [...run.stdout().matchAll(/^node-\d+\s+\d+\s+(\d+)\s/gm)].map((match) => match[1]);
  t.is(new Set(wsPorts).size, 1, `one shared ws port, got ${wsPorts.join(', ')}`);
  await waitUntil(() => run.stdout().includes('SO_REUSEPORT'), 10_000, 'port-sharing note', run.output);
  run.child.kill('SIGINT');
  t.is(await run.exited, 0, run.output());
  for (const pid of run.pids()) t.false(isAlive(pid), `pid ${pid} is still running`);
});

test('a bad flag is refused with a clear message', async (t) => {
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', CLI, '--nodes', 'zero', '--no-build']);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.not(code, 0);
  t.regex(stderr, /--nodes must be an integer from 1 to 16, got "zero"/);
});
