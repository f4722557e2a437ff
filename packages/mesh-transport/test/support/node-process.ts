/**
 * A mesh node in a child process, driven by a test over IPC. argv[2] is the JSON of its options.
 * Started with `node --import=tsx --conditions=source test/support/node-process.ts '<json>'`.
 */
import { Mesh, type LogFields, type Logger } from '../../src/index.js';
import type { ChildCommand, ChildEvent, ChildOptions, Received } from './protocol.js';

function send(event: ChildEvent): void {
  process.send?.(event);
}

function logTo(level: string): (message: string, fields?: LogFields) => void {
  return (message, fields) => {
    send({ ev: 'log', level, message, fields: JSON.parse(JSON.stringify(fields ?? {}, replacer)), at: Date.now() });
  };
}

function replacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}

const logger: Logger = { debug: () => {}, info: logTo('info'), warn: logTo('warn'), error: logTo('error') };
const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const mesh = await Mesh.start({ ...options, logger });
const received = new Map<string, { count: number; inOrder: boolean; lastSeq: Map<string, number> }>();

mesh.on('peer-up', (nodeId) => send({ ev: 'peer-up', nodeId, at: Date.now() }));
mesh.on('peer-down', (nodeId, reason) => send({ ev: 'peer-down', nodeId, reason, at: Date.now() }));
mesh.on('message', (subject, payload, from) => {
  let entry = received.get(subject);
  if (entry === undefined) received.set(subject, (entry = { count: 0, inOrder: true, lastSeq: new Map() }));
  const seq = (payload as { seq: number }).seq;
  if (seq !== (entry.lastSeq.get(from) ?? -1) + 1) entry.inOrder = false;
  entry.lastSeq.set(from, seq);
  entry.count++;
});
mesh.handle('echo', (payload, from) => ({ payload, from, by: mesh.nodeId }));

function queuedFor(nodeId: string | undefined): number {
  return nodeId === undefined ? 0 : (mesh.stats().peers.find((peer) => peer.nodeId === nodeId)?.queuedBytes ?? 0);
}

async function publish(command: Extract<ChildCommand, { cmd: 'publish' }>): Promise<number> {
  const { subject, count, firstSeq = 0, padBytes = 0, batchBytes = 256 * 1024, paceOn } = command;
  const pad = 'x'.repeat(padBytes);
  const perBatch = Math.max(1, Math.floor(batchBytes / (padBytes + 32)));
  for (let i = 0; i < count; i++) {
    mesh.publish(subject, { seq: firstSeq + i, pad });
    if ((i + 1) % perBatch !== 0) continue;
    await new Promise((resolve) => setImmediate(resolve));
    while (queuedFor(paceOn) > batchBytes) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return count;
}

function receivedOn(subject: string): Received {
  const entry = received.get(subject);
  const lastSeq = entry === undefined ? -1 : Math.max(-1, ...entry.lastSeq.values());
  return { count: entry?.count ?? 0, inOrder: entry?.inOrder ?? true, lastSeq };
}

async function run(command: ChildCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'stats':
      return mesh.stats();
    case 'subscribe':
      return mesh.subscribe(command.subject);
    case 'unsubscribe':
      return mesh.unsubscribe(command.subject);
    case 'publish':
      return publish(command);
    case 'received':
      return receivedOn(command.subject);
    case 'broadcast':
      return mesh.broadcast(command.topic, command.payload);
    case 'request':
      return mesh.request(command.target, command.topic, command.payload, command.timeoutMs);
    case 'close':
      return mesh.close();
  }
}

process.on('message', (message: ChildCommand & { id: number }) => {
  run(message).then(
    (result) => send({ ev: 'reply', id: message.id, result: result ?? null }),
    (error: unknown) => send({ ev: 'reply', id: message.id, error: String(error) }),
  );
});
process.on('disconnect', () => void mesh.close().finally(() => process.exit(0)));
send({ ev: 'ready', nodeId: mesh.nodeId, stats: mesh.stats() });
