/**
 * A load worker process: holds WebSocket clients and answers the orchestrator's commands over
 * IPC (see `messages.ts`). It exits when the orchestrator goes away.
 */
import { Histogram } from '../util/histogram.js';
import { ownCpuMs } from '../util/proc.js';
import { nowMs } from '../util/time.js';
import { BenchClient, runBounded } from './client.js';
import { Deliveries } from './deliveries.js';
import type { CommandName, Commands, PresenceJoinArgs, Reply, Request } from './messages.js';
import { presenceAuth } from './signer.js';

type Handlers = {
  [K in CommandName]: (args: Commands[K]['args']) => Promise<Commands[K]['result']> | Commands[K]['result'];
};

const deliveries = new Deliveries();
/** Clients by the index the orchestrator gave them (`connect` order); undefined when it failed. */
let clients: (BenchClient | undefined)[] = [];
let presenceClients: BenchClient[] = [];
let groups = 1;
let clockOffsetMs = 0;

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const handlers: Handlers = {
  clock: () => ({ nowMs: nowMs() }),
  setClockOffset: ({ offsetMs }) => {
    clockOffsetMs = offsetMs;
    deliveries.setClockOffset(offsetMs);
    return {};
  },
  connect: async ({ urls, nodes, concurrency, ca }) => {
    groups = urls.length;
    const count = nodes.length;
    const handshake = new Histogram();
    const base = clients.length;
    let failed = 0;
    let firstError: string | null = null;
    await runBounded(count, concurrency, async (k) => {
      const started = nowMs();
      const node = nodes[k] ?? 0;
      const client = new BenchClient(urls[node] ?? '', node, deliveries, ca ?? undefined);
      try {
        await client.established();
        handshake.recordMs(nowMs() - started);
        clients[base + k] = client;
      } catch (error) {
        failed++;
        firstError ??= errorText(error);
        void client.close();
      }
    });
    return { opened: count - failed, failed, firstError, handshake: handshake.toData() };
  },
  subscribe: async ({ channels, concurrency }) => {
    let subscribed = 0;
    let failed = 0;
    let firstError: string | null = null;
    await runBounded(channels.length, concurrency, async (i) => {
      const channel = channels[i];
      if (channel === null || channel === undefined) return;
      try {
        const client = clients[i];
        if (client === undefined) throw new Error(`client ${i} is not connected`);
        await client.subscribe(channel);
        subscribed++;
      } catch (error) {
        failed++;
        firstError ??= errorText(error);
      }
    });
    return { subscribed, failed, firstError };
  },
  presenceJoin: (args) => presenceJoin(args),
  presenceCounts: () => ({ counts: presenceClients.map((client) => client.members?.size ?? -1) }),
  beginPhase: ({ phase }) => {
    deliveries.begin(phase);
    return {};
  },
  deliveries: () => deliveries.report(groups),
  cpu: () => ({ cpuMs: ownCpuMs() }),
  closeAll: async () => {
    const all = [...clients.filter((client) => client !== undefined), ...presenceClients];
    await Promise.all(all.map((client) => client.close()));
    clients = [];
    presenceClients = [];
    return { closed: all.length };
  },
};

/** Joins in batches: each batch connects, signs and subscribes all its clients at once. */
async function presenceJoin({
  urls,
  channel,
  userIds,
  batchSize,
  app,
  ca,
}: PresenceJoinArgs): Promise<Commands['presenceJoin']['result']> {
  let failed = 0;
  let firstError: string | null = null;
  let lastJoinedAtMs = 0;
  const join = async (k: number): Promise<void> => {
    const client = new BenchClient(urls[k % urls.length] ?? '', k % urls.length, deliveries, ca ?? undefined);
    try {
      await client.established();
      const channelData = JSON.stringify({ user_id: userIds[k], user_info: { n: k } });
      await client.subscribe(channel, {
        auth: presenceAuth(app, client.socketId, channel, channelData),
        channel_data: channelData,
      });
      presenceClients.push(client);
      lastJoinedAtMs = Math.max(lastJoinedAtMs, nowMs() - clockOffsetMs);
    } catch (error) {
      failed++;
      firstError ??= errorText(error);
      void client.close();
    }
  };
  for (let start = 0; start < userIds.length; start += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, userIds.length - start) }, (_, i) => join(start + i));
    await Promise.all(batch);
  }
  return { joined: userIds.length - failed, failed, firstError, lastJoinedAtMs };
}

async function handle(request: Request): Promise<Reply> {
  try {
    const handler = handlers[request.command] as (args: unknown) => unknown;
    return { id: request.id, ok: true, result: await handler(request.args) };
  } catch (error) {
    return { id: request.id, ok: false, error: errorText(error) };
  }
}

process.on('message', (request: Request) => {
  void handle(request).then((reply) => process.send?.(reply));
});
process.on('disconnect', () => process.exit(0));
