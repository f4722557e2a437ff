/**
 * Mesh burst benchmark. Starts a 3-node mesh on 127.0.0.1 (one publisher, one subscriber, one
 * uninterested node) and a bare TCP pipe, each in its own processes; sends bursts of small
 * publishes through both, alternately, and prints a human line and a JSON line with the median
 * rates. Options: --frames=N (default 100000), --rounds=N (default 7), --timeout-ms=N (120000).
 */
import { freePort, waitFor } from '@meshpush/test-support';
import type { BurstResult } from './burst.js';
import { Worker } from './child.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3));
}

const FRAMES = option('frames', 100_000);
const ROUNDS = option('rounds', 7);
const TIMEOUT_MS = option('timeout-ms', 120_000);
const workers: Worker[] = [];

function start(role: string, args: Record<string, unknown> = {}): Promise<Worker> {
  const worker = new Worker(role, args);
  workers.push(worker);
  return worker.next('ready').then(() => worker);
}

const SETUP_TIMEOUT_MS = 20_000;

interface Round {
  readonly framesPerSec: number;
  readonly received: number;
  readonly inOrder: boolean;
  readonly cpuUsPerFrame: number;
}

/** One burst: arm the receiver, fire the sender, wait for the receiver's last frame. */
async function round(sender: Worker, receiver: Worker, firstSeq: number): Promise<Round> {
  const cpuBefore = (await sender.call<number>('cpuMs')) + (await receiver.call<number>('cpuMs'));
  const done = receiver.next<BurstResult>('burst-done');
  await receiver.call('expect', { firstSeq, count: FRAMES });
  const startedAtMs = await sender.call<number>('burst', { firstSeq, count: FRAMES });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 30_000)));
  const result = await Promise.race([done, timeout]);
  clearTimeout(timer);
  const cpuAfter = (await sender.call<number>('cpuMs')) + (await receiver.call<number>('cpuMs'));
  if (result === undefined) return { framesPerSec: 0, received: -1, inOrder: false, cpuUsPerFrame: 0 };
  const seconds = (result.lastAtMs - startedAtMs) / 1000;
  return {
    framesPerSec: FRAMES / seconds,
    received: result.count,
    inOrder: result.inOrder,
    cpuUsPerFrame: ((cpuAfter - cpuBefore) * 1000) / FRAMES,
  };
}

async function meshSetup(): Promise<{ publisher: Worker; subscriber: Worker; bystander: Worker }> {
  const port = await freePort();
  const [publisher, subscriber, bystander] = await Promise.all([0, 1, 2].map(() => start('mesh-node', { port })));
  const nodes = [publisher!, subscriber!, bystander!];
  await waitFor(
    async () => (await Promise.all(nodes.map((n) => n.call<number>('peers')))).every((count) => count === 2),
    { timeoutMs: SETUP_TIMEOUT_MS, message: 'the mesh to form' },
  );
  await subscriber!.call('subscribe');
  await waitFor(async () => (await publisher!.call<number>('interested')) === 1, {
    timeoutMs: SETUP_TIMEOUT_MS,
    message: 'the publisher to learn the interest',
  });
  return { publisher: publisher!, subscriber: subscriber!, bystander: bystander! };
}

async function barePipeSetup(): Promise<{ sender: Worker; receiver: Worker }> {
  const receiver = await start('pipe-receiver');
  const port = await receiver.call<number>('port');
  const sender = await start('pipe-sender', { port });
  return { sender, receiver };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  const mesh = await meshSetup();
  const pipe = await barePipeSetup();
  const meshRuns: Round[] = [];
  const bareRuns: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    bareRuns.push(await round(pipe.sender, pipe.receiver, i * FRAMES));
    meshRuns.push(await round(mesh.publisher, mesh.subscriber, i * FRAMES));
  }
  const bystanderPubFrames = await mesh.bystander.call<number>('pubFramesIn');
  const meshFramesPerSec = Math.round(median(meshRuns.map((r) => r.framesPerSec)));
  const barePipeFramesPerSec = Math.round(median(bareRuns.map((r) => r.framesPerSec)));
  const lost = meshRuns.reduce((sum, r) => sum + (FRAMES - Math.max(0, r.received)), 0);
  const inOrder = meshRuns.every((r) => r.inOrder);
  const ratio = Math.round((meshFramesPerSec / barePipeFramesPerSec) * 1000) / 1000;
  console.log(
    `mesh-burst: ${FRAMES} frames × ${ROUNDS} rounds, mesh ${meshFramesPerSec.toLocaleString('en')} frames/s ` +
      `(${median(meshRuns.map((r) => r.cpuUsPerFrame)).toFixed(2)} µs CPU/frame), bare pipe ${barePipeFramesPerSec.toLocaleString('en')} frames/s ` +
      `(${median(bareRuns.map((r) => r.cpuUsPerFrame)).toFixed(2)} µs CPU/frame), ratio ${ratio}, lost ${lost}, in order ${inOrder}, ` +
      `PUB frames at the uninterested node ${bystanderPubFrames}`,
  );
  console.log(
    JSON.stringify({
      scenario: 'mesh-burst',
      frames: FRAMES,
      lost,
      inOrder,
      meshFramesPerSec,
      barePipeFramesPerSec,
      ratio,
      rounds: ROUNDS,
      meshRunsFramesPerSec: meshRuns.map((r) => Math.round(r.framesPerSec)),
      barePipeRunsFramesPerSec: bareRuns.map((r) => Math.round(r.framesPerSec)),
      meshCpuUsPerFrame: Math.round(median(meshRuns.map((r) => r.cpuUsPerFrame)) * 100) / 100,
      barePipeCpuUsPerFrame: Math.round(median(bareRuns.map((r) => r.cpuUsPerFrame)) * 100) / 100,
      bystanderPubFrames,
    }),
  );
  if (lost > 0 || !inOrder || bystanderPubFrames > 0) process.exitCode = 1;
}

const timer = setTimeout(() => {
  console.error(`mesh-burst: gave up after ${TIMEOUT_MS} ms`);
  process.exitCode = 1;
  for (const worker of workers) worker.kill();
  process.exit();
}, TIMEOUT_MS);

try {
  await main();
} catch (error) {
  console.error('mesh-burst failed:', error);
  process.exitCode = 1;
} finally {
  clearTimeout(timer);
  for (const worker of workers) worker.kill();
}
