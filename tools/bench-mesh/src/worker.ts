/**
 * One benchmark process. argv[2] is its role: `mesh-node`, `pipe-sender` or `pipe-receiver`;
 * argv[3] the JSON of its arguments. It obeys calls from src/mesh-burst.ts over IPC.
 */
import { Mesh } from '@meshpush/mesh-transport';
import { BarePipeReceiver, BarePipeSender } from './barePipe.js';
import { BurstCounter, nowMs, payload, SUBJECT, type BurstResult } from './burst.js';

type Command = { id: number; command: string } & Record<string, unknown>;
type Handler = (command: Command) => unknown;

const role = process.argv[2] ?? '';
const args = JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>;

function raise(event: string, result: unknown): void {
  process.send?.({ event, result });
}

function reportBurst(counter: BurstCounter): void {
  const result: BurstResult = { count: counter.count, inOrder: counter.inOrder, lastAtMs: counter.lastAtMs };
  raise('burst-done', result);
}

const cpu = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

async function meshNode(): Promise<Record<string, Handler>> {
  const mesh = await Mesh.start({ host: '127.0.0.1', port: args['port'] as number });
  let counter: BurstCounter | undefined;
  mesh.on('message', (_subject, message) => counter?.receive((message as { seq: number }).seq));
  return {
    nodeId: () => mesh.nodeId,
    peers: () => mesh.peers().length,
    subscribe: () => mesh.subscribe(SUBJECT),
    interested: () => mesh.stats().peers.filter((peer) => peer.subjects > 0).length,
    expect: (c) => void (counter = new BurstCounter(c['firstSeq'] as number, c['count'] as number, reportBurst)),
    burst: (c) => {
      const startedAtMs = nowMs();
      const first = c['firstSeq'] as number;
      for (let seq = first; seq < first + (c['count'] as number); seq++) mesh.publish(SUBJECT, payload(seq));
      return startedAtMs;
    },
    pubFramesIn: () => mesh.stats().totals.framesInByType.PUB,
    cpuMs: cpu,
    close: () => mesh.close(),
  };
}

async function pipeReceiver(): Promise<Record<string, Handler>> {
  const receiver = new BarePipeReceiver();
  const port = await receiver.listen();
  return {
    port: () => port,
    expect: (c) => receiver.expect(new BurstCounter(c['firstSeq'] as number, c['count'] as number, reportBurst)),
    cpuMs: cpu,
  };
}

async function pipeSender(): Promise<Record<string, Handler>> {
  const sender = new BarePipeSender();
  await sender.connect(args['port'] as number);
  return {
    burst: (c) => sender.burst(c['firstSeq'] as number, c['count'] as number),
    cpuMs: cpu,
    close: () => sender.close(),
  };
}

const roles: Record<string, () => Promise<Record<string, Handler>>> = {
  'mesh-node': meshNode,
  'pipe-receiver': pipeReceiver,
  'pipe-sender': pipeSender,
};

const handlers = await (roles[role] ?? (() => Promise.reject(new Error(`unknown role ${role}`))))();
process.on('message', (command: Command) => {
  Promise.resolve()
    .then(() =>
      (handlers[command.command] ?? (() => Promise.reject(new Error(`unknown command ${command.command}`))))(command),
    )
    .then(
      (result) => process.send?.({ id: command.id, result: result ?? null }),
      (error: unknown) => process.send?.({ id: command.id, error: String(error) }),
    );
});
process.on('disconnect', () => process.exit(0));
raise('ready', null);
