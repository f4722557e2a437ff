import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { SERVER_CLI } from '../src/paths.js';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const TABLE_ROW = /^node-\d+\s+(\d+)\s+\d+\s+\d+\s+[0-9a-f]+\s+1\/1\s/gm;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A base port whose next `count` ports were all free a moment ago. */
async function freeBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 20_000);
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => portIsFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no block of free ports found');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitUntil(condition: () => boolean, timeoutMs: number, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`no ${what} within ${timeoutMs} ms:\n${output()}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

test('--nodes 2 prints the mesh table, and SIGINT stops every child', async (t) => {
  t.true(existsSync(SERVER_CLI), `build the server first: ${SERVER_CLI}`);
  const base = await freeBlock(5);
  const args = ['--nodes', '2', '--no-build', '--base-port', `${base}`, '--metrics-base-port', `${base + 2}`, '--cluster-port', `${base + 4}`];
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), (output += chunk)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const pids = (): number[] => [...stdout.matchAll(TABLE_ROW)].map((match) => Number(match[1]));
  t.teardown(() => {
    child.kill('SIGKILL');
    for (const pid of pids()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  await waitUntil(() => pids().length === 2, 40_000, 'mesh table', () => output);
  t.regex(stdout, /mesh formed: 2 nodes/);
  t.true(pids().every(isAlive));

  child.kill('SIGINT');
  await waitUntil(() => child.exitCode !== null, 20_000, 'exit after SIGINT', () => output);
  t.is(await exited, 0, output);
  for (const pid of pids()) t.false(isAlive(pid), `pid ${pid} is still running`);
  t.regex(output, /node-1 stopped \(exit code 0\)/);
  t.regex(output, /node-2 stopped \(exit code 0\)/);
});
