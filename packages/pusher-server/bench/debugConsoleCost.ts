// The debug console's cost on a loaded node: node A takes API events fanned out to WebSocket
// subscribers; node B holds the console. Three windows: no console, a console open on B (A
// produces records and publishes them to B), alternating for a few rounds. For each: server CPU time per API
// event on A and B (utime + stime from /proc), events/s, and records the console received.
//   node --import tsx --conditions=source bench/debugConsoleCost.ts [seconds] [subscribers] [rounds]
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from '@meshpush/test-support';
import Pusher from 'pusher';
import WebSocket from 'ws';

interface NodeInfo {
  port: number;
  metricsPort: number;
  pid: number;
  nodeId: string;
  child: ChildProcess;
}

const SECONDS = Number(process.argv[2] ?? 5);
const SUBSCRIBERS = Number(process.argv[3] ?? 200);
const CONCURRENCY = 16;
const ROUNDS = Number(process.argv[4] ?? 3);
const TICKS_PER_SEC = 100; // Linux USER_HZ
const tsx = createRequire(import.meta.url).resolve('tsx');

function startNode(clusterPort: number): Promise<NodeInfo> {
  const script = fileURLToPath(new URL('debugConsoleNode.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsx, '--conditions=source', script, String(clusterPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ ...JSON.parse(line), child }));
  });
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function subscribers(port: number, count: number): Promise<{ received: () => number; close(): void }> {
  let received = 0;
  const sockets = await Promise.all(
    Array.from({ length: count }, () => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/app/app-key?protocol=7`);
      ws.on('message', () => received++);
      return new Promise<WebSocket>((resolve) =>
        ws.once('open', () => {
          ws.send(JSON.stringify({ event: 'pusher:subscribe', data: { channel: 'bench' } }));
          resolve(ws);
        }),
      );
    }),
  );
  return { received: () => received, close: () => sockets.forEach((ws) => ws.terminate()) };
}

/** Triggers events on A for `SECONDS` with a few requests in flight; returns how many. */
async function load(sdk: Pusher): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      await sdk.trigger('bench', 'tick', { n: sent, pad: 'x'.repeat(100) });
      sent++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return sent;
}

/** An open console stream on B: counts the records and the dropped count it reports. */
function openConsole(node: NodeInfo): { records: () => number; dropped: () => number; close(): void } {
  const abort = new AbortController();
  let records = 0;
  let dropped = 0;
  void fetch(`http://127.0.0.1:${node.metricsPort}/console/api/apps/app-id/stream`, {
    headers: { Authorization: 'Bearer bench' },
    signal: abort.signal,
  })
    .then(async (response) => {
      for await (const chunk of response.body!) {
        for (const line of Buffer.from(chunk).toString().split('\n\n')) {
          if (!line.startsWith('data: ')) continue;
          const message = JSON.parse(line.slice(6)) as { records: unknown[]; dropped: number };
          records += message.records.length;
          dropped = message.dropped;
        }
      }
    })
    .catch(() => undefined);
  return { records: () => records, dropped: () => dropped, close: () => abort.abort() };
}

async function measure(label: string, a: NodeInfo, b: NodeInfo, sdk: Pusher, received: () => number) {
  const before = { a: cpuTicks(a.pid), b: cpuTicks(b.pid), received: received(), t: Date.now() };
  const events = await load(sdk);
  const seconds = (Date.now() - before.t) / 1000;
  const delivered = received() - before.received;
  const perEvent = (ticks: number) => Number(((ticks * 1e6) / TICKS_PER_SEC / events).toFixed(1));
  return {
    window: label,
    events,
    eventsPerSec: Math.round(events / seconds),
    delivered,
    cpuUsPerEventA: perEvent(cpuTicks(a.pid) - before.a),
    cpuUsPerEventB: perEvent(cpuTicks(b.pid) - before.b),
  };
}

const clusterPort = await freePort();
const a = await startNode(clusterPort);
const b = await startNode(clusterPort);
try {
  const sdk = new Pusher({
    appId: 'app-id',
    key: 'app-key',
    secret: 'app-secret',
    host: '127.0.0.1',
    port: String(a.port),
  });
  const subs = await subscribers(a.port, SUBSCRIBERS);
  await load(sdk); // warm-up: JIT, connections
  // Alternating windows, so the load of a shared machine falls on both sides alike.
  const results: unknown[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    results.push(await measure('no console', a, b, sdk, subs.received));
    const open = openConsole(b);
    await waitFor(async () => {
      await sdk.trigger('bench', 'probe', {});
      return open.records() > 0;
    });
    const measured = await measure('console open on B', a, b, sdk, subs.received);
    results.push({ ...measured, consoleRecords: open.records(), consoleDropped: open.dropped() });
    open.close();
  }
  subs.close();
  for (const result of results)
    console.log(JSON.stringify({ subscribers: SUBSCRIBERS, seconds: SECONDS, ...(result as object) }));
} finally {
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
}
